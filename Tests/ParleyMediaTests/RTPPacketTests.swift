import Testing
@testable import ParleyMedia

@Suite("RTP packets (RFC 3550)")
struct RTPPacketTests {
    @Test func minimalPacketRoundTrips() throws {
        let packet = RTPPacket(
            header: RTPHeader(marker: true, payloadType: 111, sequenceNumber: 0xBEEF, timestamp: 0xDEAD_BEEF, ssrc: 0x1234_5678),
            payload: [1, 2, 3])
        let bytes = try packet.serialized()
        #expect(bytes == [0x80, 0x80 | 111, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF, 0x12, 0x34, 0x56, 0x78, 1, 2, 3])
        #expect(try RTPPacket(parsing: bytes) == packet)
    }

    @Test func csrcExtensionAndPaddingRoundTrip() throws {
        let packet = RTPPacket(
            header: RTPHeader(
                payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [10, 11, 12],
                headerExtension: RTPHeaderExtension(profile: 0xBEDE, data: [1, 2, 3, 4, 5, 6, 7, 8])),
            payload: Array(0 ..< 100), paddingLength: 7)
        let bytes = try packet.serialized()
        #expect(bytes.count == 12 + 12 + 4 + 8 + 100 + 7)
        #expect(bytes[0] == 0x80 | 0x20 | 0x10 | 3)
        #expect(bytes.last == 7)
        #expect(try RTPPacket(parsing: bytes) == packet)
    }

    @Test func hostilePacketsAreRejectedNotTrapped() {
        #expect(throws: RTPPacketError.self) { try RTPPacket(parsing: []) }
        #expect(throws: RTPPacketError.self) { try RTPPacket(parsing: [0x80, 0, 0]) }
        // Version 1.
        #expect(throws: RTPPacketError.unsupportedVersion(1)) { try RTPPacket(parsing: [0x40] + Array(repeating: 0, count: 11)) }
        // 15 CSRCs claimed, none present.
        #expect(throws: RTPPacketError.self) { try RTPPacket(parsing: [0x8F] + Array(repeating: 0, count: 11)) }
        // Extension claims 0xFFFF words.
        #expect(throws: RTPPacketError.self) { try RTPPacket(parsing: [0x90] + Array(repeating: 0, count: 11) + [0, 0, 0xFF, 0xFF]) }
        // Padding count 0, and padding larger than the payload.
        #expect(throws: RTPPacketError.self) { try RTPPacket(parsing: [0xA0] + Array(repeating: 0, count: 11) + [1, 0]) }
        #expect(throws: RTPPacketError.self) { try RTPPacket(parsing: [0xA0] + Array(repeating: 0, count: 11) + [1, 3]) }
        // Padding bit with no byte after the header.
        #expect(throws: RTPPacketError.self) { try RTPPacket(parsing: [0xA0] + Array(repeating: 0, count: 11)) }
    }

    @Test func outOfRangeFieldsAreNotSerialized() {
        let header = RTPHeader(payloadType: 128, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        #expect(throws: RTPPacketError.self) { try RTPPacket(header: header, payload: []).serialized() }
        let csrcs = RTPHeader(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrcs: Array(repeating: 1, count: 16))
        #expect(throws: RTPPacketError.self) { try RTPPacket(header: csrcs, payload: []).serialized() }
    }

    @Test func rtcpMuxClassification() throws {
        let rtp = try RTPPacket(header: RTPHeader(marker: true, payloadType: 96, sequenceNumber: 0, timestamp: 0, ssrc: 0), payload: []).serialized()
        #expect(MultiplexedPacketKind.classify(rtp) == .rtp)
        let pli = try RTCPPacket.pictureLossIndication(RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: 2)).serialized()
        #expect(MultiplexedPacketKind.classify(pli) == .rtcp)
        let receiverReport = try RTCPPacket.receiverReport(RTCPReceiverReport(ssrc: 1)).serialized()
        #expect(MultiplexedPacketKind.classify(receiverReport) == .rtcp)
        // Every second byte whose low 7 bits are 64...95 is RTCP, whatever the marker bit.
        for second in 0 ... 255 {
            let kind = MultiplexedPacketKind.classify([0x80, UInt8(second)] + Array(repeating: 0, count: 10))
            #expect(kind == ((64 ... 95).contains(second & 0x7F) ? .rtcp : .rtp))
        }
        #expect(MultiplexedPacketKind.classify([0x80, 96]) == nil)
        #expect(MultiplexedPacketKind.classify([0x00, 200, 0, 1]) == nil)
    }
}

@Suite("Sequence and timestamp unwrapping")
struct UnwrapperTests {
    @Test func sequenceWrapsForward() {
        var unwrapper = RTPSequenceUnwrapper()
        #expect(unwrapper.unwrap(65534) == 65534)
        #expect(unwrapper.unwrap(65535) == 65535)
        #expect(unwrapper.unwrap(0) == 65536)
        #expect(unwrapper.unwrap(1) == 65537)
        #expect(unwrapper.highest == 65537)
    }

    @Test func reorderingAcrossTheWrap() {
        var unwrapper = RTPSequenceUnwrapper()
        #expect(unwrapper.unwrap(65533) == 65533)
        #expect(unwrapper.unwrap(1) == 65537)      // jumped ahead over the wrap
        #expect(unwrapper.unwrap(65535) == 65535)  // late packet from before the wrap
        #expect(unwrapper.unwrap(0) == 65536)
        #expect(unwrapper.highest == 65537)
        #expect(unwrapper.unwrap(2) == 65538)
    }

    @Test func latePacketBeforeTheFirst() {
        var unwrapper = RTPSequenceUnwrapper()
        #expect(unwrapper.unwrap(0) == 0)
        #expect(unwrapper.unwrap(65535) == -1)
        #expect(unwrapper.highest == 0)
    }

    @Test func manyCyclesStayMonotonic() {
        var unwrapper = RTPSequenceUnwrapper()
        var expected: Int64 = 40000
        var value = UInt16(40000)
        for _ in 0 ..< 300_000 {
            #expect(unwrapper.unwrap(value) == expected)
            value &+= 7
            expected += 7
        }
    }

    @Test func timestampWraps() {
        var unwrapper = RTPTimestampUnwrapper()
        #expect(unwrapper.unwrap(UInt32.max - 959) == Int64(UInt32.max) - 959)
        #expect(unwrapper.unwrap(0) == Int64(UInt32.max) + 1)
        #expect(unwrapper.unwrap(UInt32.max - 959) == Int64(UInt32.max) - 959)
        #expect(unwrapper.unwrap(960) == Int64(UInt32.max) + 961)
    }
}

@Suite("A call's receive thread: what waits for the playout tick")
struct ReceiveWakeTests {
    static func header(_ secondByte: UInt8, length: Int = 40) -> [UInt8] {
        [0x80, secondByte] + [UInt8](repeating: 7, count: length - 2)
    }

    @Test("Audio RTP waits for the tick; video RTP, RTCP, short and unknown datagrams wake the thread")
    func audioWaitsForTheTick() {
        #expect(CallMediaSession.waitsForTheTick(Self.header(MediaDescription.opusPayloadType)))
        #expect(CallMediaSession.waitsForTheTick(Self.header(0x80 | MediaDescription.opusPayloadType)), "the marker bit aside")
        #expect(!CallMediaSession.waitsForTheTick(Self.header(MediaDescription.vp8PayloadType)))
        #expect(!CallMediaSession.waitsForTheTick(Self.header(200)), "a sender report")
        #expect(!CallMediaSession.waitsForTheTick(Self.header(205)), "a NACK")
        #expect(!CallMediaSession.waitsForTheTick(Self.header(MediaDescription.opusPayloadType, length: 8)))
        #expect(!CallMediaSession.waitsForTheTick([0x16, 0x03, 0x01]))
        #expect(!CallMediaSession.waitsForTheTick([]))
    }
}
