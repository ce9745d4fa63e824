import Foundation

/// A camera shared by the legs of a group call: each leg's sender reads a branch of its
/// own and every branch gets every captured frame (each leg encodes at its own rate).
public final class SharedVideoSource: Sendable {
    /// At most two frames wait for a branch that reads late; older ones are dropped.
    public static let maxQueuedFrames = 2

    private let capture: SharedCapture<CapturedVideoFrame>
    public let width: Int
    public let height: Int

    public init(_ source: any VideoSource) {
        width = source.width
        height = source.height
        nonisolated(unsafe) let source = source
        capture = SharedCapture(maxQueued: Self.maxQueuedFrames) { try source.nextFrameBlocking() }
    }

    /// A new reader of the camera, from the next captured frame on.
    public func branch() -> VideoSourceBranch { VideoSourceBranch(capture, width: width, height: height) }
}

/// One leg's view of a ``SharedVideoSource``; detached when let go of.
public final class VideoSourceBranch: VideoSource {
    private let capture: SharedCapture<CapturedVideoFrame>
    private let id: Int
    public let width: Int
    public let height: Int

    init(_ capture: SharedCapture<CapturedVideoFrame>, width: Int, height: Int) {
        self.capture = capture
        self.width = width
        self.height = height
        id = capture.attach()
    }

    deinit { capture.detach(id) }

    public func nextFrameBlocking() throws -> CapturedVideoFrame? { try capture.next(for: id) }

    /// The blocking read on a thread of its own (calls read the blocking form on theirs).
    public func nextFrame() async throws -> CapturedVideoFrame? {
        try await SharedCaptureThread.run { try self.nextFrameBlocking() }
    }
}

/// Runs a blocking read on a thread of its own for an async caller, never on Swift's pool.
enum SharedCaptureThread {
    static func run<T: Sendable>(_ body: @escaping () throws -> T) async throws -> T {
        nonisolated(unsafe) let body = body
        return try await withCheckedThrowingContinuation { continuation in
            nonisolated(unsafe) let continuation = continuation
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
