/// Keeps a speaker's queue from standing: frames waiting for the device add their length to
/// every later frame's delay, and once a queue has formed (a burst at start, a stall of the
/// device) input and output run at the same rate and it never drains by itself — seen:
/// seven frames, 140 ms of mouth-to-ear delay, for the whole call. When the queue has not
/// been below `floor` frames for half a second, one frame is dropped — a quiet one if one
/// comes within another half second — and again each half second until it is below `floor`. Pure.
public struct StandingQueueTrimmer: Sendable {
    /// Frames the queue may hold at its lowest without being trimmed.
    public let floor: Int
    /// Mean absolute amplitude under which a frame counts as quiet.
    public let quietLevel: Int
    private var standingSince: UInt64?
    public private(set) var framesTrimmed = 0
    /// How long the queue stands at `floor` or more before a frame goes (nanoseconds).
    public static let standingTime: UInt64 = 500_000_000
    /// Mean absolute amplitude (of 32 767) under which a frame is quiet enough to shorten,
    /// drop or stretch unheard: the speaker's keepers and the playout's phase use it too.
    public static let defaultQuietLevel = 500

    public init(floor: Int = 2, quietLevel: Int = Self.defaultQuietLevel) {
        self.floor = max(floor, 1)
        self.quietLevel = quietLevel
    }

    /// Whether the frame about to be queued behind `queued` others, at `now`, with mean
    /// absolute amplitude `loudness`, is dropped.
    public mutating func drops(queued: Int, loudness: Int, nowNanoseconds now: UInt64) -> Bool {
        guard queued >= floor else {
            standingSince = nil
            return false
        }
        let since = standingSince ?? now
        standingSince = since
        guard now >= since, now - since >= Self.standingTime else { return false }
        // Standing long enough: drop a quiet frame, or any after as long again.
        guard loudness < quietLevel || now - since >= 2 * Self.standingTime else { return false }
        standingSince = now
        framesTrimmed += 1
        return true
    }

    /// The mean absolute amplitude of `samples`.
    public static func loudness(_ samples: [Int16]) -> Int {
        guard !samples.isEmpty else { return 0 }
        return samples.reduce(0) { $0 + abs(Int($1)) } / samples.count
    }
}
