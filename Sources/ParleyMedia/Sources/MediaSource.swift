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
}

/// A source of 48 kHz mono audio in 20 ms frames (microphone, file).
public protocol AudioSource: AnyObject {
    /// Waits for and returns the next 960 samples with their capture time; nil at the end.
    func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)?
}
