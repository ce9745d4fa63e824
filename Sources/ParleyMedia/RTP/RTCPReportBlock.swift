/// One reception report block of an SR or RR (RFC 3550 §6.4.1).
public struct RTCPReportBlock: Equatable, Sendable {
    public static let size = 24

    /// The source this block reports on.
    public var ssrc: UInt32
    /// Fraction of packets lost since the previous report, in 1/256.
    public var fractionLost: UInt8
    /// Cumulative packets lost: a signed 24-bit value (duplicates can make it negative).
    public var cumulativeLost: Int32
    /// Cycles (high 16 bits) and highest sequence number received (low 16 bits).
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received from the source (0 = none).
    public var lastSenderReport: UInt32
    /// Delay since that SR was received, in 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    public init(
        ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32, jitter: UInt32,
        lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// The range cumulativeLost can take (24-bit two's complement).
    public static let cumulativeLostRange: ClosedRange<Int32> = -0x80_0000 ... 0x7F_FFFF

    /// Round-trip time in seconds (RFC 3550 §6.4.1: A − LSR − DLSR) for a block that
    /// arrived at `arrival`, or nil when the block carries no LSR or the result is negative.
    public func roundTripTime(arrivedAt arrival: NTPTimestamp) -> Double? {
        guard lastSenderReport != 0 else { return nil }
        let elapsed = arrival.middle32 &- lastSenderReport
        guard elapsed >= delaySinceLastSenderReport, elapsed < 0x8000_0000 else { return nil }
        return Double(elapsed - delaySinceLastSenderReport) / 65536.0
    }

    init(reading reader: inout ByteReader) throws(RTPPacketError) {
        ssrc = try reader.readUInt32("RTCP report block")
        let lost = try reader.readUInt32("RTCP report block")
        fractionLost = UInt8(lost >> 24)
        cumulativeLost = Int32(bitPattern: lost << 8) >> 8
        extendedHighestSequence = try reader.readUInt32("RTCP report block")
        jitter = try reader.readUInt32("RTCP report block")
        lastSenderReport = try reader.readUInt32("RTCP report block")
        delaySinceLastSenderReport = try reader.readUInt32("RTCP report block")
    }

    func write(to bytes: inout [UInt8]) throws(RTPPacketError) {
        try checkRange("cumulativeLost", Int(cumulativeLost), -0x80_0000 ... 0x7F_FFFF)
        bytes.appendBigEndian(ssrc)
        bytes.appendBigEndian(UInt32(fractionLost) << 24 | UInt32(bitPattern: cumulativeLost) & 0x00FF_FFFF)
        bytes.appendBigEndian(extendedHighestSequence)
        bytes.appendBigEndian(jitter)
        bytes.appendBigEndian(lastSenderReport)
        bytes.appendBigEndian(delaySinceLastSenderReport)
    }
}
