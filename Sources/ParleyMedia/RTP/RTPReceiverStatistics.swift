/// Reception statistics for one RTP source (RFC 3550 §6.4.1 and appendix A.3, A.8):
/// packets received, loss, extended highest sequence number, interarrival jitter, and
/// the state needed to fill LSR/DLSR in the next report block.
///
/// Times are nanoseconds of a monotonic clock chosen by the caller.
public struct RTPReceiverStatistics: Sendable {
    /// The RTP clock rate of the source (48000 for Opus, 90000 for video).
    public let clockRate: Int
    public private(set) var ssrc: UInt32?
    /// Packets received, duplicates included (as RFC 3550 counts them).
    public private(set) var packetsReceived: Int64 = 0
    /// Interarrival jitter in RTP timestamp units (RFC 3550 A.8).
    public private(set) var jitter: Double = 0

    private var sequences = RTPSequenceUnwrapper()
    private var firstSequence: Int64 = 0
    private var previousTransit: Int64?
    private var expectedAtLastReport: Int64 = 0
    private var receivedAtLastReport: Int64 = 0
    private var lastSenderReport: (middle32: UInt32, arrival: UInt64)?

    public init(clockRate: Int) {
        self.clockRate = clockRate
    }

    /// Records a packet of this source that arrived at `arrivalNanoseconds`.
    public mutating func record(_ header: RTPHeader, arrivalNanoseconds: UInt64) {
        let sequence = sequences.unwrap(header.sequenceNumber)
        if packetsReceived == 0 {
            ssrc = header.ssrc
            firstSequence = sequence
        } else if sequence < firstSequence {
            firstSequence = sequence
        }
        packetsReceived += 1
        // A.8: transit time in RTP units; the jitter follows |D| with gain 1/16.
        let transit = Int64(UInt32(truncatingIfNeeded: rtpUnits(arrivalNanoseconds) &- UInt64(header.timestamp)))
        if let previousTransit {
            var difference = Int64(Int32(truncatingIfNeeded: transit &- previousTransit))
            if difference < 0 { difference = -difference }
            jitter += (Double(difference) - jitter) / 16
        }
        previousTransit = transit
    }

    /// `nanoseconds` on the RTP clock, modulo 2^64 (only the low 32 bits are used). The
    /// clock rate comes from an SDP: whatever it is, nothing here can overflow and trap.
    private func rtpUnits(_ nanoseconds: UInt64) -> UInt64 {
        let rate = UInt64(clamping: clockRate)
        let seconds = nanoseconds / 1_000_000_000
        let rest = nanoseconds % 1_000_000_000
        // rest < 10^9, so the quotient of rest × rate / 10^9 is below rate: no overflow.
        let fraction = UInt64(1_000_000_000).dividingFullWidth(rest.multipliedFullWidth(by: rate)).quotient
        return seconds &* rate &+ fraction
    }

    /// The highest sequence number received, extended with its cycle count.
    public var extendedHighestSequence: Int64 { sequences.highest ?? 0 }

    /// Packets expected from the first to the highest sequence number.
    public var packetsExpected: Int64 { packetsReceived == 0 ? 0 : extendedHighestSequence &- firstSequence &+ 1 }

    /// Packets lost so far (negative when duplicates arrived).
    public var cumulativeLost: Int64 { packetsExpected &- packetsReceived }

    /// Jitter in seconds.
    public var jitterSeconds: Double { jitter / Double(max(1, clockRate)) }

    /// Records an SR from this source, for LSR/DLSR in later report blocks.
    public mutating func recordSenderReport(_ report: RTCPSenderReport, arrivalNanoseconds: UInt64) {
        lastSenderReport = (report.ntpTimestamp.middle32, arrivalNanoseconds)
    }

    /// A report block for an RR or SR sent at `nowNanoseconds`; starts a new interval
    /// for the fraction lost. Nil before the first packet.
    public mutating func makeReportBlock(nowNanoseconds: UInt64) -> RTCPReportBlock? {
        guard let ssrc, packetsReceived > 0 else { return nil }
        let expected = packetsExpected
        let expectedInterval = expected &- expectedAtLastReport
        let receivedInterval = packetsReceived &- receivedAtLastReport
        let lostInterval = expectedInterval &- receivedInterval
        expectedAtLastReport = expected
        receivedAtLastReport = packetsReceived
        var fraction: UInt8 = 0
        if expectedInterval > 0, lostInterval > 0 {
            let lostShare = min(lostInterval, expectedInterval)
            let (scaled, overflow) = lostShare.multipliedReportingOverflow(by: 256)
            fraction = UInt8(min(255, overflow ? lostShare / max(1, expectedInterval / 256) : scaled / expectedInterval))
        }
        let range = RTCPReportBlock.cumulativeLostRange
        let lost = Int32(min(max(cumulativeLost, Int64(range.lowerBound)), Int64(range.upperBound)))
        var lastSR: UInt32 = 0
        var delay: UInt32 = 0
        if let lastSenderReport {
            lastSR = lastSenderReport.middle32
            let elapsed = nowNanoseconds >= lastSenderReport.arrival ? nowNanoseconds - lastSenderReport.arrival : 0
            let units = (elapsed / 1_000_000_000) &* 65536 &+ (elapsed % 1_000_000_000) * 65536 / 1_000_000_000
            delay = UInt32(min(units, UInt64(UInt32.max)))
        }
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: lost,
            extendedHighestSequence: UInt32(truncatingIfNeeded: extendedHighestSequence),
            jitter: UInt32(min(jitter.rounded(.down), Double(UInt32.max))),
            lastSenderReport: lastSR, delaySinceLastSenderReport: delay)
    }
}
