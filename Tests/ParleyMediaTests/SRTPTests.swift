import Testing
@testable import ParleyMedia

@Suite("SRTP (libsrtp2, AES_CM_128_HMAC_SHA1_80)")
struct SRTPTests {
    // libsrtp's reference vector for the default policy (test/srtp_driver.c, srtp_validate).
    static let key: [UInt8] = [
        0xE1, 0xF9, 0x7A, 0x0D, 0x3E, 0x01, 0x8B, 0xE0, 0xD6, 0x4F, 0xA3, 0x2C, 0x06, 0xDE, 0x41, 0x39,
        0x0E, 0xC6, 0x75, 0xAD, 0x49, 0x8A, 0xFE, 0xEB, 0xB6, 0x96, 0x0B, 0x3A, 0xAB, 0xE6,
    ]
    static let plaintext: [UInt8] = [0x80, 0x0F, 0x12, 0x34, 0xDE, 0xCA, 0xFB, 0xAD, 0xCA, 0xFE, 0xBA, 0xBE]
        + [UInt8](repeating: 0xAB, count: 16)
    static let ciphertext: [UInt8] = [
        0x80, 0x0F, 0x12, 0x34, 0xDE, 0xCA, 0xFB, 0xAD, 0xCA, 0xFE, 0xBA, 0xBE, 0x4E, 0x55, 0xDC, 0x4C,
        0xE7, 0x99, 0x78, 0xD8, 0x8C, 0xA4, 0xD2, 0x15, 0x94, 0x9D, 0x24, 0x02, 0xB7, 0x8D, 0x6A, 0xCC,
        0x99, 0xEA, 0x17, 0x9B, 0x8D, 0xBB,
    ]

    @Test func knownVectorProtectsAndUnprotects() throws {
        let keying = try SRTPKeyingMaterial(bytes: Self.key)
        let sender = try SRTPSession(keying: keying, direction: .outbound)
        #expect(try sender.protect(Self.plaintext) == Self.ciphertext)
        let receiver = try SRTPSession(keying: keying, direction: .inbound)
        #expect(try receiver.unprotect(Self.ciphertext) == Self.plaintext)
        // The same packet again is a replay.
        #expect(throws: SRTPError.replayed) { try receiver.unprotect(Self.ciphertext) }
    }

    @Test func wrongKeyOrAlteredPacketFailsAuthentication() throws {
        var otherKey = Self.key
        otherKey[0] ^= 1
        let receiver = try SRTPSession(keying: SRTPKeyingMaterial(bytes: otherKey), direction: .inbound)
        #expect(throws: SRTPError.authenticationFailed) { try receiver.unprotect(Self.ciphertext) }
        var altered = Self.ciphertext
        altered[20] ^= 0x40
        let honest = try SRTPSession(keying: SRTPKeyingMaterial(bytes: Self.key), direction: .inbound)
        #expect(throws: SRTPError.authenticationFailed) { try honest.unprotect(altered) }
        #expect(throws: SRTPError.self) { try honest.unprotect([0x80, 0x00]) }
    }

    @Test func rtpAndRTCPRoundTripWithParleyPackets() throws {
        let keying = try SRTPKeyingMaterial(bytes: (0 ..< 30).map { UInt8($0 * 7) })
        let sender = try SRTPSession(keying: keying, direction: .outbound)
        let receiver = try SRTPSession(keying: keying, direction: .inbound)
        var packetizer = OpusPacketizer(sequencer: RTPSequencer(ssrc: 0x1234, payloadType: 111, firstSequenceNumber: 65534), firstTimestamp: 0)
        for index in 0 ..< 5 {
            let made = packetizer.packetize(opusPacket: [UInt8](repeating: UInt8(index), count: 60))
            let packet = try #require(made)
            let clear = try packet.serialized()
            let protected = try sender.protect(clear)
            #expect(protected.count == clear.count + 10)
            #expect(Array(protected[12...]) != Array(clear[12...]) + Array(protected[clear.count...]))
            #expect(try RTPPacket(parsing: receiver.unprotect(protected)) == packet)
        }
        let report = try RTCPPacket.serializeCompound([.receiverReport(RTCPReceiverReport(ssrc: 0x1234))])
        let protectedReport = try sender.protectRTCP(report)
        #expect(protectedReport.count == report.count + 4 + 10)   // E flag + index, then the tag
        #expect(MultiplexedPacketKind.classify(protectedReport) == .rtcp)
        #expect(try receiver.unprotectRTCP(protectedReport) == report)
    }

    @Test func sdpInlineKeysRoundTrip() throws {
        let keying = try SRTPKeyingMaterial(bytes: Self.key)
        let inline = keying.sdpInline
        #expect(inline.count == 40)
        #expect(try SRTPKeyingMaterial(sdpInline: inline) == keying)
        #expect(try SRTPKeyingMaterial(sdpInline: inline + "|2^20|1:4") == keying)
        #expect(throws: SRTPError.self) { try SRTPKeyingMaterial(sdpInline: "not base64!") }
        #expect(throws: SRTPError.self) { try SRTPKeyingMaterial(bytes: [1, 2, 3]) }
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm9vYg==") == Array("foob".utf8))
    }
}
