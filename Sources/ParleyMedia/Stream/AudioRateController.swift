/// Opus's bit rate in a call, which yields last: audio has priority, so it keeps its
/// configured rate while the video gives way, and steps down only when the receiver's
/// estimate of the path (REMB, measured on the video) is so low that the video is at or
/// near its floor — under 100 kb/s it codes at 24 kb/s, under 60 kb/s at 16 kb/s (never
/// above the configured rate). It steps back up one level once the estimate has been at
/// least 1.3 × that level's threshold for 2 s (or there is no estimate: the video stopped
/// or never started). A call without video has no estimate and keeps its rate; its loss
/// is repaired by FEC and concealment. Pure: no clock, no I/O; times in nanoseconds.
public struct AudioRateController: Sendable, Equatable {
    public let configured: Int
    /// The rate to code at now (bits per second).
    public private(set) var bitrate: Int
    private var climbSince: UInt64?

    /// (estimate under which, the rate coded at), lowest first.
    static let steps: [(below: Int, bitrate: Int)] = [(60_000, 16_000), (100_000, 24_000)]
    static let climbMargin = 1.3
    static let climbTime: UInt64 = 2_000_000_000

    public init(configured: Int) {
        self.configured = configured
        bitrate = configured
    }

    /// The rate the estimate alone asks for.
    static func rate(for estimate: Int?, configured: Int) -> Int {
        guard let estimate else { return configured }
        for step in steps where estimate < step.below { return min(configured, step.bitrate) }
        return configured
    }

    /// The receiver's estimate of the path now (nil: none); the new rate when it changes.
    public mutating func pathEstimated(_ estimate: Int?, nowNanoseconds now: UInt64) -> Int? {
        let wanted = Self.rate(for: estimate, configured: configured)
        if wanted < bitrate {
            climbSince = nil
            bitrate = wanted
            return bitrate
        }
        guard wanted > bitrate else {
            climbSince = nil
            return nil
        }
        // One level up, once the estimate clears that level's threshold by a margin for 2 s.
        let levels = Self.steps.map { min(configured, $0.bitrate) } + [configured]
        let next = levels.first { $0 > bitrate } ?? configured
        let threshold = Self.steps.first { min(configured, $0.bitrate) == bitrate }?.below ?? 0
        guard estimate.map({ Double($0) >= Self.climbMargin * Double(threshold) }) ?? true else {
            climbSince = nil
            return nil
        }
        let since = climbSince ?? now
        climbSince = since
        guard now >= since, now - since >= Self.climbTime else { return nil }
        climbSince = nil
        bitrate = next
        return bitrate
    }
}
