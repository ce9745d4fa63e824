/// When each packet of the video stream may leave: a leaky bucket at a pacing rate, so a
/// large frame (a keyframe is five to twenty times an ordinary one) goes out spread over
/// time instead of in one burst.
///
/// A burst does not make a path any wider: at a narrow bottleneck (a DSL or tethered
/// uplink) it waits in the bottleneck's queue, and so does every audio packet behind it:
/// the far end's playout delay jumps by the burst's length. Paced at a rate the path
/// carries, the queue stays in the sender, where audio does not wait for it (audio is
/// never paced). Pure: no clock, no I/O; times in nanoseconds.
public struct VideoPacer: Sendable, Equatable {
    /// The pacing rate is this many times the encoder's target (room for the frame-to-frame
    /// variation of VP8's output; well below WebRTC's 2.5, which leaves the smoothing of
    /// bursts to a bottleneck's queue).
    public static let rateFactor = 1.5
    /// Bits that may leave at once, however long the pacer was idle: one frame's packets
    /// at an ordinary size go out together (a few ms at the pacing rate).
    public static let burstBits: Double = 24_000
    /// Pacing never goes slower than this (bits per second): a keyframe at a very low
    /// target would otherwise take seconds.
    public static let minimumRate: Double = 150_000

    /// Bits per second.
    public private(set) var rate: Double
    /// When the bucket is empty again: what was sent beyond the burst allowance leaves by then.
    private var drainedAt: UInt64?

    public init(targetBitrate: Int) {
        rate = Self.rate(forTarget: targetBitrate)
    }

    static func rate(forTarget target: Int) -> Double {
        max(Self.minimumRate, Double(max(0, target)) * Self.rateFactor)
    }

    /// Follows the encoder's target (bits per second).
    public mutating func setTarget(_ target: Int) {
        rate = Self.rate(forTarget: target)
    }

    /// When a packet of `bytes` may be sent, given that it is `now`: `now` itself while
    /// the bucket has room, later when what was sent before still drains. Counts the
    /// packet as sent at that time.
    public mutating func departure(bytes: Int, nowNanoseconds now: UInt64) -> UInt64 {
        // rate ≥ minimumRate, so both conversions below stay finite and in range (the
        // allowance is at most 160 ms; a cost is capped at 1000 s) whatever `bytes` is.
        let nanosecondsPerBit = 1e9 / rate
        let allowance = UInt64(Self.burstBits * nanosecondsPerBit)
        // The bucket drains while idle; it never holds credit beyond the burst allowance.
        let empty = max(drainedAt ?? now, now)
        let departure = empty > now &+ allowance ? empty &- allowance : now
        let cost = UInt64(min(Double(max(0, bytes)) * 8 * nanosecondsPerBit, 1e12))
        drainedAt = empty &+ cost
        return departure
    }

    /// How long what is queued takes to leave (nanoseconds), seen at `now`.
    public func backlog(nowNanoseconds now: UInt64) -> UInt64 {
        guard let drainedAt, drainedAt > now else { return 0 }
        return drainedAt - now
    }
}
