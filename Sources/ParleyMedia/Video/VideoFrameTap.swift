import Foundation

/// The latest video frame of a stream, for a viewer that shows what it can (the terminal
/// UI's video pane): writers replace the frame, readers take the newest one they have not
/// seen. Nothing queues, so a slow viewer skips frames and never holds the media threads.
public final class VideoFrameTap: @unchecked Sendable {
    private let lock = NSLock()
    private var frame: I420Frame?
    private var generation: UInt64 = 0

    public init() {}

    /// Replaces the latest frame (from a media thread).
    public func publish(_ frame: I420Frame) {
        lock.lock()
        defer { lock.unlock() }
        self.frame = frame
        generation &+= 1
    }

    /// Forgets the frame (the stream ended): a viewer sees no stale picture in the next call.
    public func clear() {
        lock.lock()
        defer { lock.unlock() }
        frame = nil
        generation &+= 1
    }

    /// The latest frame when it is newer than `seen` (the generation the caller last got),
    /// with its generation; nil when nothing new arrived.
    public func latest(after seen: UInt64) -> (frame: I420Frame?, generation: UInt64)? {
        lock.lock()
        defer { lock.unlock() }
        return generation == seen ? nil : (frame, generation)
    }
}

/// A video sink that shows every frame to a tap, then hands it on to the sink it wraps (if any).
public final class TappedVideoSink: VideoSink {
    private let sink: (any VideoSink)?
    private let tap: VideoFrameTap

    public init(_ sink: (any VideoSink)?, tap: VideoFrameTap) {
        self.sink = sink
        self.tap = tap
    }

    public func write(_ frame: I420Frame) throws {
        tap.publish(frame)
        try sink?.write(frame)
    }

    public func finish() throws {
        tap.clear()
        try sink?.finish()
    }
}

/// A video source whose frames are also shown to a tap (a self-view).
public final class TappedVideoSource: VideoSource {
    private let source: any VideoSource
    private let tap: VideoFrameTap

    public init(_ source: any VideoSource, tap: VideoFrameTap) {
        self.source = source
        self.tap = tap
    }

    public var width: Int { source.width }
    public var height: Int { source.height }

    public func nextFrame() async throws -> CapturedVideoFrame? {
        let captured = try await source.nextFrame()
        publish(captured)
        return captured
    }

    public func nextFrameBlocking() throws -> CapturedVideoFrame? {
        let captured = try source.nextFrameBlocking()
        publish(captured)
        return captured
    }

    private func publish(_ captured: CapturedVideoFrame?) {
        if let captured { tap.publish(captured.frame) } else { tap.clear() }
    }
}
