/// Where received audio goes: 20 ms frames of 48 kHz mono, in playout order.
public protocol AudioSink: AnyObject {
    func write(_ samples: [Int16]) throws
    /// Flushes and closes (plays out what is queued, completes the file).
    func finish() throws
    /// Frames the sink had to drop (a device too far behind); 0 for files.
    var framesDropped: Int { get }
}

extension AudioSink {
    public var framesDropped: Int { 0 }
}

/// Where received video goes: decoded frames in display order.
public protocol VideoSink: AnyObject {
    func write(_ frame: I420Frame) throws
    func finish() throws
}
