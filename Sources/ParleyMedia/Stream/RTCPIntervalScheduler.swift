/// When the next RTCP report of one participant is due (RFC 3550 §6.3 and appendix A.7,
/// for the two-party sessions Parley runs: one sender, one receiver).
///
/// RTCP gets 5 % of the session bandwidth, a quarter of it for the sender; the interval is
/// the time that share takes to carry an average report, at least `minimumInterval`
/// (halved before the first report), randomised to 0.5–1.5 times and divided by e − 3/2
/// so that the average stays right. Feedback (PLI) is not scheduled here: it goes out at
/// once (RFC 4585 immediate mode) and only limited by `KeyframeRequestLimiter`.
public struct RTCPIntervalScheduler: Sendable {
    /// The smallest deterministic interval (RFC 3550: 5 s; video calls use 1 s).
    public let minimumInterval: UInt64
    /// Session bandwidth in bits per second (the stream's bit rate).
    public let sessionBandwidth: Int
    public let isSender: Bool
    /// Average size of the compound packets sent, in bytes (RFC 3550 `avg_rtcp_size`).
    public private(set) var averagePacketSize: Double = 100
    public private(set) var nextReport: UInt64?
    public private(set) var reportsSent = 0
    private var random: SplitMix64

    public init(minimumInterval: UInt64, sessionBandwidth: Int, isSender: Bool, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.minimumInterval = minimumInterval
        self.sessionBandwidth = max(sessionBandwidth, 1000)
        self.isSender = isSender
        random = SplitMix64(seed: seed)
    }

    /// The deterministic interval before randomisation, in nanoseconds.
    public var deterministicInterval: UInt64 {
        let rtcpBandwidth = Double(sessionBandwidth) * 0.05 / 8   // bytes per second
        // Two members, one sender: the sender gets 25 % of the RTCP bandwidth, the
        // receiver 75 %, each shared by the members of its kind (one).
        let share = isSender ? 0.25 : 0.75
        let seconds = averagePacketSize / (rtcpBandwidth * share)
        let minimum = Double(minimumInterval) / 1e9 / (reportsSent == 0 ? 2 : 1)
        return UInt64(max(seconds, minimum) * 1e9)
    }

    /// Whether a report is due at `now`; the first call starts the schedule.
    public mutating func isDue(nowNanoseconds now: UInt64) -> Bool {
        guard let nextReport else {
            nextReport = now + randomised(deterministicInterval)
            return false
        }
        return now >= nextReport
    }

    /// Records a report of `size` bytes sent at `now` and schedules the next one.
    public mutating func didSend(size: Int, nowNanoseconds now: UInt64) {
        averagePacketSize = averagePacketSize * 15 / 16 + Double(size + 28) / 16   // + IP/UDP headers
        reportsSent += 1
        nextReport = now + randomised(deterministicInterval)
    }

    private mutating func randomised(_ interval: UInt64) -> UInt64 {
        let factor = 0.5 + random.nextUnitInterval()   // 0.5 ..< 1.5
        return UInt64(Double(interval) * factor / 1.21828)
    }
}
