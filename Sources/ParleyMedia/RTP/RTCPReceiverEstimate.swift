/// Receiver Estimated Maximum Bitrate (REMB, draft-alvestrand-rmcat-remb: payload-specific
/// feedback, PT 206, FMT 15, "REMB"): the bit rate the receiver estimates the path carries
/// for the named media sources, as a 6-bit exponent and an 18-bit mantissa.
public struct RTCPReceiverEstimate: Equatable, Sendable {
    public var senderSSRC: UInt32
    /// Bits per second (what the 6-bit exponent and 18-bit mantissa can carry, rounded down).
    public var bitrate: UInt64
    public var mediaSSRCs: [UInt32]

    public static let format: UInt8 = 15
    static let identifier: [UInt8] = Array("REMB".utf8)
    /// The most SSRCs one estimate names (the count field has 8 bits).
    public static let maximumSSRCs = 255

    public init(senderSSRC: UInt32, bitrate: UInt64, mediaSSRCs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.bitrate = bitrate
        self.mediaSSRCs = mediaSSRCs
    }

    /// Whether a payload-specific feedback body of FMT 15 is a REMB (else it is some other
    /// application-layer feedback and is kept as it is).
    static func isEstimate(_ body: ByteReader) -> Bool {
        var peek = body
        guard (try? peek.readBytes(8, "RTCP AFB")) != nil, let name = try? peek.readBytes(4, "RTCP AFB") else { return false }
        return name == identifier
    }

    static func parse(_ body: inout ByteReader) throws(RTPPacketError) -> RTCPReceiverEstimate {
        guard body.remaining >= 16 else { throw .invalidLength(what: "RTCP REMB", length: body.remaining) }
        let sender = try body.readUInt32("RTCP REMB")
        _ = try body.readUInt32("RTCP REMB")   // media source: 0, the SSRCs follow
        _ = try body.readBytes(4, "RTCP REMB")
        let count = Int(try body.readUInt8("RTCP REMB"))
        let packed = UInt32(try body.readUInt8("RTCP REMB")) << 16 | UInt32(try body.readUInt16("RTCP REMB"))
        let exponent = packed >> 18, mantissa = UInt64(packed & 0x3FFFF)
        guard body.remaining == count * 4 else { throw .invalidLength(what: "RTCP REMB SSRC list", length: body.remaining) }
        var ssrcs: [UInt32] = []
        for _ in 0 ..< count { ssrcs.append(try body.readUInt32("RTCP REMB")) }
        // 18 bits shifted by up to 63: saturate instead of overflowing.
        let bitrate = mantissa == 0 ? 0 : exponent >= 46 ? UInt64.max : mantissa << exponent
        return RTCPReceiverEstimate(senderSSRC: sender, bitrate: bitrate, mediaSSRCs: ssrcs)
    }

    func write(to body: inout [UInt8]) throws(RTPPacketError) {
        try checkRange("REMB SSRC count", mediaSSRCs.count, 0 ... Self.maximumSSRCs)
        body.appendBigEndian(senderSSRC)
        body.appendBigEndian(UInt32(0))
        body.append(contentsOf: Self.identifier)
        var mantissa = bitrate, exponent: UInt32 = 0
        while mantissa > 0x3FFFF {
            mantissa >>= 1
            exponent += 1
        }
        body.append(UInt8(mediaSSRCs.count))
        let packed = exponent << 18 | UInt32(mantissa)
        body.append(UInt8(packed >> 16))
        body.appendBigEndian(UInt16(packed & 0xFFFF))
        for ssrc in mediaSSRCs { body.appendBigEndian(ssrc) }
    }
}
