/// Where received audio goes: 20 ms frames of 48 kHz mono, in playout order.
public protocol AudioSink: AnyObject {
    func write(_ samples: [Int16]) throws
    /// Flushes and closes (plays out what is queued, completes the file).
    func finish() throws
    /// Frames the sink had to drop (a device too far behind); 0 for files.
    var framesDropped: Int { get }
    /// How much later (positive) or sooner (negative) than 20 ms after the last frame the
    /// next one should come, for a sink with a clock of its own (a sound card) to stay at its
    /// target delay: the playout follows the device's clock instead of drifting against it.
    /// 0 for sinks without a clock (files).
    var playoutCorrectionNanoseconds: Int64 { get }
    /// Whether the sink plays in real time on a clock of its own (a sound card): frames may
    /// then be shorter than 20 ms when the playout moves its phase (see ``PlayoutPhase``).
    /// False for files, which keep every sample.
    var hasClock: Bool { get }
}

extension AudioSink {
    public var framesDropped: Int { 0 }
    public var playoutCorrectionNanoseconds: Int64 { 0 }
    public var hasClock: Bool { false }
}

/// Where received video goes: decoded frames in display order.
public protocol VideoSink: AnyObject {
    func write(_ frame: I420Frame) throws
    func finish() throws
}
