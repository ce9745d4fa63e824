/// Rate-limits keyframe requests (RTCP PLI): the first loss asks at once, further requests
/// wait `minimumInterval` (default 300 ms, or the RTT if longer) so a keyframe in flight is
/// not asked for again.
public struct KeyframeRequestLimiter: Sendable {
    public var minimumInterval: UInt64
    private var lastRequest: UInt64?
    public private(set) var requestsSent = 0

    public init(minimumIntervalNanoseconds: UInt64 = 300_000_000) {
        minimumInterval = minimumIntervalNanoseconds
    }

    /// Whether a PLI may be sent now (and records it if so).
    public mutating func shouldSend(nowNanoseconds now: UInt64, roundTripTime: Double? = nil) -> Bool {
        let interval = max(minimumInterval, UInt64(min(max(0, roundTripTime ?? 0), 60) * 1e9))   // NaN → 0, at most a minute
        if let lastRequest, now < lastRequest &+ interval { return false }
        lastRequest = now
        requestsSent += 1
        return true
    }
}
