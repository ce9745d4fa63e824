/// A microphone shared by the legs of a group call: each leg's sender reads a branch of
/// its own (``SharedAudioSource/branch()``) and every branch gets every captured frame.
public final class SharedAudioSource: Sendable {
    /// At most 60 ms of audio waits for a branch that reads late; older frames are dropped.
    public static let maxQueuedFrames = 3

    private let capture: SharedCapture<(samples: [Int16], captureTime: UInt64)>

    public init(_ source: any AudioSource) {
        nonisolated(unsafe) let source = source
        capture = SharedCapture(maxQueued: Self.maxQueuedFrames) { try source.nextFrameBlocking() }
    }

    /// A new reader of the microphone, from the next captured frame on.
    public func branch() -> AudioSourceBranch { AudioSourceBranch(capture) }
}

/// One leg's view of a ``SharedAudioSource``; detached when let go of.
public final class AudioSourceBranch: AudioSource {
    private let capture: SharedCapture<(samples: [Int16], captureTime: UInt64)>
    private let id: Int

    init(_ capture: SharedCapture<(samples: [Int16], captureTime: UInt64)>) {
        self.capture = capture
        id = capture.attach()
    }

    deinit { capture.detach(id) }

    /// Frames dropped because this branch read too late.
    public var framesDropped: Int { capture.dropped(id) }

    public func nextFrameBlocking() throws -> (samples: [Int16], captureTime: UInt64)? { try capture.next(for: id) }

    /// The blocking read on a thread of its own (calls read the blocking form on theirs).
    public func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)? {
        try await SharedCaptureThread.run { try self.nextFrameBlocking() }
    }
}
