import Testing
@testable import ParleyMedia

@Suite("RTCP (RFC 3550, RFC 4585)")
struct RTCPTests {
    static let block = RTCPReportBlock(
        ssrc: 0xAABB_CCDD, fractionLost: 64, cumulativeLost: -3, extendedHighestSequence: 0x0001_0005,
        jitter: 123, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65536)

    @Test func senderReportRoundTripsWithExactBytes() throws {
        let report = RTCPSenderReport(
            ssrc: 1, ntpTimestamp: NTPTimestamp(seconds: 0x8000_0000, fraction: 0x4000_0000), rtpTimestamp: 960,
            packetCount: 10, octetCount: 1000, reportBlocks: [Self.block])
        let bytes = try RTCPPacket.senderReport(report).serialized()
        #expect(bytes.count == 28 + 24)
        #expect(Array(bytes[0 ..< 4]) == [0x81, 200, 0, 12])
        // fraction lost 64, cumulative lost −3 as 24-bit two's complement.
        #expect(Array(bytes[32 ..< 36]) == [64, 0xFF, 0xFF, 0xFD])
        #expect(try RTCPPacket.parseCompound(bytes) == [.senderReport(report)])
    }

    @Test func compoundReceiverReportAndPLIRoundTrip() throws {
        let packets: [RTCPPacket] = [
            .receiverReport(RTCPReceiverReport(ssrc: 7, reportBlocks: [Self.block, Self.block])),
            .other(packetType: 202, count: 1, body: [0, 0, 0, 7, 1, 3, 65, 66, 67, 0, 0, 0]),
            .pictureLossIndication(RTCPPictureLossIndication(senderSSRC: 7, mediaSSRC: 9)),
        ]
        let bytes = try RTCPPacket.serializeCompound(packets)
        #expect(bytes.count == (8 + 48) + 16 + 12)
        #expect(Array(bytes[(bytes.count - 12)...]) == [0x81, 206, 0, 2, 0, 0, 0, 7, 0, 0, 0, 9])
        #expect(try RTCPPacket.parseCompound(bytes) == packets)
    }

    @Test func paddingOnTheLastPacketIsAccepted() throws {
        var bytes = try RTCPPacket.receiverReport(RTCPReceiverReport(ssrc: 5)).serialized()
        bytes[0] |= 0x20
        bytes += [0, 0, 0, 4]
        bytes[3] = 2
        #expect(try RTCPPacket.parseCompound(bytes) == [.receiverReport(RTCPReceiverReport(ssrc: 5))])
    }

    @Test func unalignedBodiesArePaddedAndOnlyLast() throws {
        // Found by the fuzzer: padding leaves 7 body bytes of an unknown packet type.
        let bytes: [UInt8] = [0xA0, 0xC1, 0x00, 0x02, 0, 0, 0, 7, 0, 0, 0x80, 0x01]
        let packets = try RTCPPacket.parseCompound(bytes)
        #expect(packets == [.other(packetType: 0xC1, count: 0, body: [0, 0, 0, 7, 0, 0, 0x80])])
        let again = try RTCPPacket.serializeCompound(packets)
        #expect(again.count == 12 && again[0] & 0x20 != 0)
        #expect(try RTCPPacket.parseCompound(again) == packets)
        #expect(throws: RTPPacketError.self) { try RTCPPacket.serializeCompound(packets + packets) }
    }

    @Test func hostileCompoundPacketsAreRejected() throws {
        #expect(throws: RTPPacketError.self) { try RTCPPacket.parseCompound([]) }
        // Length claims more words than present.
        #expect(throws: RTPPacketError.self) { try RTCPPacket.parseCompound([0x80, 201, 0, 9, 0, 0, 0, 1]) }
        // Report count of 31 with no blocks.
        #expect(throws: RTPPacketError.self) { try RTCPPacket.parseCompound([0x9F, 201, 0, 1, 0, 0, 0, 1]) }
        // PLI with a missing media SSRC.
        #expect(throws: RTPPacketError.self) { try RTCPPacket.parseCompound([0x81, 206, 0, 1, 0, 0, 0, 1]) }
        // Padding on a packet that is not last.
        let rr = try RTCPPacket.receiverReport(RTCPReceiverReport(ssrc: 5)).serialized()
        var padded = rr
        padded[0] |= 0x20
        padded[7] = 4
        #expect(throws: RTPPacketError.self) { try RTCPPacket.parseCompound(padded + rr) }
        // Version 0 after a valid packet.
        #expect(throws: RTPPacketError.unsupportedVersion(0)) { try RTCPPacket.parseCompound(rr + [0, 0, 0, 0]) }
    }

    @Test func roundTripTimeFromLSRAndDLSR() {
        // SR sent at t = 1000.5 s; the receiver held it 0.25 s; the RR arrives 0.1 s later.
        let sent = NTPTimestamp(secondsSince1900: 1000.5)
        let block = RTCPReportBlock(
            ssrc: 1, fractionLost: 0, cumulativeLost: 0, extendedHighestSequence: 0, jitter: 0,
            lastSenderReport: sent.middle32, delaySinceLastSenderReport: 65536 / 4)
        let rtt = block.roundTripTime(arrivedAt: NTPTimestamp(secondsSince1900: 1000.5 + 0.25 + 0.1))
        #expect(abs((rtt ?? -1) - 0.1) < 2.0 / 65536)
        #expect(block.roundTripTime(arrivedAt: NTPTimestamp(secondsSince1900: 1000.6)) == nil)
        var noReport = block
        noReport.lastSenderReport = 0
        #expect(noReport.roundTripTime(arrivedAt: NTPTimestamp(secondsSince1900: 2000)) == nil)
    }
}

@Suite("Receiver statistics (RFC 3550 A.3, A.8)")
struct ReceiverStatisticsTests {
    static func header(_ sequence: UInt16, _ timestamp: UInt32) -> RTPHeader {
        RTPHeader(payloadType: 111, sequenceNumber: sequence, timestamp: timestamp, ssrc: 42)
    }

    @Test func lossAndFractionAcrossTheWrap() throws {
        var statistics = RTPReceiverStatistics(clockRate: 48000)
        var sequence: UInt16 = 65530
        for index in 0 ..< 20 {
            if index != 3 && index != 10 {   // two losses, one of them after the wrap
                statistics.record(Self.header(sequence, UInt32(index * 960)), arrivalNanoseconds: UInt64(index) * 20_000_000)
            }
            sequence &+= 1
        }
        #expect(statistics.packetsReceived == 18)
        #expect(statistics.cumulativeLost == 2)
        let blockReport = statistics.makeReportBlock(nowNanoseconds: 400_000_000)
        let block = try #require(blockReport)
        #expect(block.ssrc == 42)
        #expect(block.cumulativeLost == 2)
        #expect(block.fractionLost == UInt8((2 << 8) / 20))
        #expect(block.extendedHighestSequence == 65530 + 19)
        #expect(block.extendedHighestSequence >> 16 == 1)
        // A new interval with no loss reports fraction 0 but keeps the cumulative count.
        statistics.record(Self.header(sequence, 20 * 960), arrivalNanoseconds: 400_000_000)
        let nextReport = statistics.makeReportBlock(nowNanoseconds: 420_000_000)
        let next = try #require(nextReport)
        #expect(next.fractionLost == 0)
        #expect(next.cumulativeLost == 2)
    }

    @Test func reorderedPacketsAreNotLost() {
        var statistics = RTPReceiverStatistics(clockRate: 48000)
        for sequence: UInt16 in [100, 102, 101, 104, 103] {
            statistics.record(Self.header(sequence, 0), arrivalNanoseconds: 0)
        }
        #expect(statistics.cumulativeLost == 0)
        #expect(statistics.extendedHighestSequence == 104)
        statistics.record(Self.header(103, 0), arrivalNanoseconds: 0)
        #expect(statistics.cumulativeLost == -1)   // a duplicate counts as received
    }

    @Test func jitterFollowsTheA8Formula() {
        var statistics = RTPReceiverStatistics(clockRate: 48000)
        // Constant delay: no jitter.
        for index in 0 ..< 10 {
            statistics.record(Self.header(UInt16(index), UInt32(index * 960)), arrivalNanoseconds: UInt64(index) * 20_000_000 + 5_000_000)
        }
        #expect(statistics.jitter == 0)
        // Packets alternately 10 ms late: |D| = 480 units each time; J += (|D| − J)/16.
        var reference = 0.0
        for index in 10 ..< 40 {
            let late: UInt64 = index % 2 == 0 ? 10_000_000 : 0
            statistics.record(Self.header(UInt16(index), UInt32(index * 960)), arrivalNanoseconds: UInt64(index) * 20_000_000 + 5_000_000 + late)
            reference += (480 - reference) / 16
        }
        #expect(abs(statistics.jitter - reference) < 1e-9)
        #expect(abs(30 - (480.0 / 16)) < 1e-12)
        #expect(statistics.jitter > 400 && statistics.jitter < 480)
        #expect(abs(statistics.jitterSeconds - statistics.jitter / 48000) < 1e-12)
    }

    @Test func jitterFirstStepsAreExact() {
        var statistics = RTPReceiverStatistics(clockRate: 90000)
        statistics.record(Self.header(0, 0), arrivalNanoseconds: 0)
        statistics.record(Self.header(1, 3000), arrivalNanoseconds: 43_333_333)  // 10 ms late: D = 900 units (rounded down 899)
        let first = statistics.jitter
        #expect(abs(first - 899.0 / 16) < 1e-9 || abs(first - 900.0 / 16) < 1e-9)
    }

    @Test func lsrAndDLSRComeFromTheLastSenderReport() throws {
        var statistics = RTPReceiverStatistics(clockRate: 48000)
        statistics.record(Self.header(1, 0), arrivalNanoseconds: 0)
        let ntp = NTPTimestamp(secondsSince1900: 3_900_000_000.25)
        statistics.recordSenderReport(
            RTCPSenderReport(ssrc: 42, ntpTimestamp: ntp, rtpTimestamp: 0, packetCount: 1, octetCount: 1),
            arrivalNanoseconds: 1_000_000_000)
        let blockReport = statistics.makeReportBlock(nowNanoseconds: 1_500_000_000)
        let block = try #require(blockReport)
        #expect(block.lastSenderReport == ntp.middle32)
        #expect(block.delaySinceLastSenderReport == 32768)
        // The sender gets the block back 0.5 s + 40 ms after it sent the SR: RTT 40 ms.
        let rtt = try #require(block.roundTripTime(arrivedAt: NTPTimestamp(secondsSince1900: 3_900_000_000.25 + 0.54)))
        #expect(abs(rtt - 0.04) < 2.0 / 65536)
    }
}
