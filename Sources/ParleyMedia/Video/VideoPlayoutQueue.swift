/// Lip sync corrected on the video side: a decoded frame whose picture was captured
/// later than the sound playing now (video ahead, RTCP SRs tell by how much) waits that
/// long before it is shown, so picture and sound of one moment come out together. Video
/// behind the sound is shown at once (it cannot be sped up; the audio side would have to
/// wait).
///
/// Frames leave in the order they came; a hold is at most `maximumHold` (a wrong or
/// hostile SR cannot freeze the picture) and at most `capacity` frames wait (beyond that
/// the oldest is shown early). No I/O: the caller says when it is, and asks `nextDue`
/// when to come back.
public struct VideoPlayoutQueue<Frame> {
    public let maximumHold: UInt64
    public let capacity: Int
    private var waiting: [(due: UInt64, frame: Frame)] = []
    /// The hold given to the last frame (nanoseconds), for the statistics.
    public private(set) var lastHold: UInt64 = 0

    public init(maximumHoldNanoseconds: UInt64 = 400_000_000, capacity: Int = 30) {
        maximumHold = maximumHoldNanoseconds
        self.capacity = max(1, capacity)
    }

    /// Queues `frame`, decoded at `now`, with the video's lead over the audio playing now
    /// (seconds; nil when unknown: shown at once). Returns the frames to show now, in order.
    public mutating func add(_ frame: Frame, videoLead: Double?, nowNanoseconds now: UInt64) -> [Frame] {
        var hold: UInt64 = 0
        if let videoLead, videoLead.isFinite, videoLead > 0 {
            hold = UInt64(min(videoLead * 1e9, Double(maximumHold)))
        }
        lastHold = hold
        // Never before the frame ahead of it: the order of the pictures is kept.
        let due = max(now + hold, waiting.last?.due ?? 0)
        waiting.append((due, frame))
        var shown: [Frame] = []
        if waiting.count > capacity {
            shown.append(waiting.removeFirst().frame)
        }
        return shown + release(nowNanoseconds: now)
    }

    /// The frames due by `now`, in order.
    public mutating func release(nowNanoseconds now: UInt64) -> [Frame] {
        var count = 0
        while count < waiting.count, waiting[count].due <= now { count += 1 }
        guard count > 0 else { return [] }
        let shown = waiting.prefix(count).map(\.frame)
        waiting.removeFirst(count)
        return shown
    }

    /// When the next frame is due (nil: nothing waits).
    public var nextDue: UInt64? { waiting.first?.due }

    /// Everything still waiting, in order (the stream ends).
    public mutating func flush() -> [Frame] {
        defer { waiting.removeAll() }
        return waiting.map(\.frame)
    }
}
