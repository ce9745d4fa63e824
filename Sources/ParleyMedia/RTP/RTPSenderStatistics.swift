/// What an RTP sender counts for its sender reports (RFC 3550 §6.4.1), and the mapping
/// from its RTP clock to wall-clock time that receivers use for lip sync.
public struct RTPSenderStatistics: Sendable {
    public let ssrc: UInt32
    public let clockRate: Int
    public private(set) var packetCount: UInt32 = 0
    /// Payload bytes sent (headers and padding excluded).
    public private(set) var octetCount: UInt32 = 0
    private var last: (rtpTimestamp: UInt32, captureNanoseconds: UInt64)?

    public init(ssrc: UInt32, clockRate: Int) {
        self.ssrc = ssrc
        self.clockRate = clockRate
    }

    /// Records a sent packet whose media was captured at `captureNanoseconds` (monotonic).
    public mutating func record(_ packet: RTPPacket, captureNanoseconds: UInt64) {
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: packet.payload.count)
        last = (packet.header.timestamp, captureNanoseconds)
    }

    /// A sender report for `now` (monotonic ns) whose wall-clock time is `wallClock`: the RTP
    /// timestamp is extrapolated from the last packet, so NTP and RTP times name the same
    /// instant. Nil before the first packet.
    public func makeSenderReport(nowNanoseconds now: UInt64, wallClock: NTPTimestamp, reportBlocks: [RTCPReportBlock] = []) -> RTCPSenderReport? {
        guard let last else { return nil }
        let elapsed = Int64(bitPattern: now &- last.captureNanoseconds)
        let ticks = elapsed / 1_000_000_000 * Int64(clockRate) + elapsed % 1_000_000_000 * Int64(clockRate) / 1_000_000_000
        return RTCPSenderReport(
            ssrc: ssrc, ntpTimestamp: wallClock, rtpTimestamp: last.rtpTimestamp &+ UInt32(truncatingIfNeeded: ticks),
            packetCount: packetCount, octetCount: octetCount, reportBlocks: reportBlocks)
    }
}
