/// A captured or generated video frame with its capture time.
public struct CapturedVideoFrame: Sendable {
    public var frame: I420Frame
    /// Nanoseconds of the source's clock when the frame was due.
    public var captureTime: UInt64
    /// Frame number from the start of the source.
    public var index: UInt64

    public init(frame: I420Frame, captureTime: UInt64, index: UInt64) {
        self.frame = frame
        self.captureTime = captureTime
        self.index = index
    }
}

/// A source of video frames (camera, file, test pattern), one type per kind.
public protocol VideoSource: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// Waits for and returns the next frame; nil when the source has ended.
    func nextFrame() async throws -> CapturedVideoFrame?
    /// The same, blocking the calling thread: for a media thread of its own (a call's
    /// capture thread), never for a task of Swift's cooperative pool.
    func nextFrameBlocking() throws -> CapturedVideoFrame?
}

extension VideoSource {
    /// Default for sources that only have the async form: waits for it on a task.
    public func nextFrameBlocking() throws -> CapturedVideoFrame? {
        try BlockingBridge.wait { try await self.nextFrame() }
    }
}

/// A source of 48 kHz mono audio in 20 ms frames (microphone, file).
public protocol AudioSource: AnyObject {
    /// Waits for and returns the next 960 samples with their capture time; nil at the end.
    func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)?
    /// The same, blocking the calling thread: for a media thread of its own (a call's
    /// capture thread), never for a task of Swift's cooperative pool.
    func nextFrameBlocking() throws -> (samples: [Int16], captureTime: UInt64)?
}

extension AudioSource {
    /// Default for sources that only have the async form: waits for it on a task.
    public func nextFrameBlocking() throws -> (samples: [Int16], captureTime: UInt64)? {
        try BlockingBridge.wait { try await self.nextFrame() }
    }
}
