import Foundation
import ParleyMedia
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serializes writes to a terminal among threads: the video writer takes it around each
/// frame; a host that also draws (curses) takes it around its own output (`doupdate()` and
/// the flush of stdout), so escape sequences never interleave.
public final class TerminalOutputLock: @unchecked Sendable {
    private let lock = NSLock()

    public init() {}

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// Renders and writes video frames to a terminal on a thread of its own (never Swift's
/// cooperative pool): `submit` returns at once, and when the terminal falls behind (a slow
/// SSH link) frames are dropped — the newest always wins — never queued.
///
/// ```swift
/// let writer = TerminalVideoWriter(descriptor: STDOUT_FILENO, region: pane, configuration: config, outputLock: lock)
/// writer.submit(frame)                   // from any thread, any rate
/// writer.setRegion(newPane)              // after a resize (drawn whole, at once)
/// writer.invalidate()                    // after a full repaint: the last frame drawn again whole
/// writer.stop()                          // waits for the thread; kitty's image deleted
/// ```
public final class TerminalVideoWriter: @unchecked Sendable {
    /// What the writer did so far.
    public struct Statistics: Equatable, Sendable {
        public var framesSubmitted = 0
        /// Frames rendered (each maybe zero bytes when nothing changed).
        public var framesRendered = 0
        /// Frames replaced by a newer one before they were drawn.
        public var framesDropped = 0
        public var bytesWritten = 0
        /// Bytes of the last frame (0 when it did not change).
        public var lastFrameBytes = 0
        /// Time to render the last frame (not to write it), nanoseconds.
        public var lastRenderNanoseconds: UInt64 = 0
        /// Size of the last frame.
        public var lastFrameWidth = 0
        public var lastFrameHeight = 0
        /// True once a write failed (the terminal went away); nothing more is written.
        public var writeFailed = false

        public init() {}
    }

    /// Passed to the overlay after each frame.
    public struct FrameReport: Sendable {
        public var statistics: Statistics
        public var region: CellRect
    }

    private let descriptor: Int32
    private let outputLock: TerminalOutputLock?
    private let overlay: (@Sendable (FrameReport) -> [UInt8])?
    private let condition = NSCondition()
    private let finished = DispatchSemaphore(value: 0)

    // Guarded by `condition`.
    private var pendingFrame: I420Frame?
    private var pendingRegion: CellRect?
    private var pendingConfiguration: TerminalVideoRenderer.Configuration?
    private var pendingInvalidate = false
    private var pendingWrites: [[UInt8]] = []
    private var stopping = false
    private var clearOnStop = true
    private var stats = Statistics()

    /// Starts the writer thread. `overlay`, when given, is called on the writer thread after
    /// every frame and its bytes written right after the frame's (a status line, say); return
    /// [] for nothing.
    public init(
        descriptor: Int32, region: CellRect, configuration: TerminalVideoRenderer.Configuration, outputLock: TerminalOutputLock? = nil,
        overlay: (@Sendable (FrameReport) -> [UInt8])? = nil
    ) {
        self.descriptor = descriptor
        self.outputLock = outputLock
        self.overlay = overlay
        let thread = Thread { [self] in
            Thread.current.name = "video-out"   // Linux applies a name set on the thread itself
            self.run(region: region, configuration: configuration)
        }
        thread.start()
    }

    /// Hands a frame over; a frame still waiting is dropped.
    public func submit(_ frame: I420Frame) {
        condition.lock()
        stats.framesSubmitted += 1
        if pendingFrame != nil { stats.framesDropped += 1 }
        pendingFrame = frame
        condition.signal()
        condition.unlock()
    }

    /// Moves or resizes the pane; the last frame is drawn again, whole, at once.
    public func setRegion(_ region: CellRect) {
        condition.lock()
        pendingRegion = region
        condition.signal()
        condition.unlock()
    }

    /// Changes the configuration (renderer kind, colours…); drawn again whole.
    public func reconfigure(_ configuration: TerminalVideoRenderer.Configuration) {
        condition.lock()
        pendingConfiguration = configuration
        condition.signal()
        condition.unlock()
    }

    /// After the screen was cleared or repainted: the last frame is drawn again whole, at once.
    public func invalidate() {
        condition.lock()
        pendingInvalidate = true
        condition.signal()
        condition.unlock()
    }

    /// Writes other bytes in order with the frames (before the next frame).
    public func write(_ bytes: [UInt8]) {
        condition.lock()
        pendingWrites.append(bytes)
        condition.signal()
        condition.unlock()
    }

    public var statistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    /// Stops the thread after what is pending was written, then (kitty) deletes the image
    /// when `clear`; waits up to `seconds` for the thread (a blocked terminal write may hold it).
    public func stop(clear: Bool = true, seconds: Double = 2) {
        condition.lock()
        stopping = true
        clearOnStop = clear
        condition.signal()
        condition.unlock()
        _ = finished.wait(timeout: .now() + seconds)
    }

    private func run(region: CellRect, configuration: TerminalVideoRenderer.Configuration) {
        let renderer = TerminalVideoRenderer(region: region, configuration: configuration)
        var lastFrame: I420Frame?
        var buffer: [UInt8] = []
        var failed = false
        while true {
            condition.lock()
            while pendingFrame == nil && pendingRegion == nil && pendingConfiguration == nil && !pendingInvalidate
                && pendingWrites.isEmpty && !stopping {
                condition.wait()
            }
            let frame = pendingFrame
            let newRegion = pendingRegion
            let newConfiguration = pendingConfiguration
            let invalidate = pendingInvalidate
            let writes = pendingWrites
            let stop = stopping, clear = clearOnStop
            pendingFrame = nil
            pendingRegion = nil
            pendingConfiguration = nil
            pendingInvalidate = false
            pendingWrites = []
            condition.unlock()

            buffer.removeAll(keepingCapacity: true)
            for bytes in writes { buffer.append(contentsOf: bytes) }
            if let newConfiguration { renderer.reconfigure(newConfiguration) }
            if let newRegion { renderer.region = newRegion }
            if invalidate { renderer.invalidate() }
            let redraw = newRegion != nil || newConfiguration != nil || invalidate
            if let picture = frame ?? (redraw ? lastFrame : nil), !stop || frame != nil {
                let start = DispatchTime.now().uptimeNanoseconds
                let before = buffer.count
                renderer.render(picture, appendingTo: &buffer)
                let elapsed = DispatchTime.now().uptimeNanoseconds - start
                lastFrame = picture
                condition.lock()
                if frame != nil { stats.framesRendered += 1 }
                stats.lastFrameBytes = buffer.count - before
                stats.lastRenderNanoseconds = elapsed
                stats.lastFrameWidth = picture.width
                stats.lastFrameHeight = picture.height
                let report = FrameReport(statistics: stats, region: renderer.region)
                condition.unlock()
                if let overlay { buffer.append(contentsOf: overlay(report)) }
            }
            if stop && clear { buffer.append(contentsOf: renderer.clearBytes()) }
            if !buffer.isEmpty && !failed {
                let ok = outputLock.map { lock in lock.withLock { writeAll(buffer) } } ?? writeAll(buffer)
                condition.lock()
                if ok { stats.bytesWritten += buffer.count } else { stats.writeFailed = true }
                condition.unlock()
                failed = !ok
            }
            if stop { break }
        }
        finished.signal()
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&poller, 1, 100)
                        continue
                    }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}

/// `write(2)` (the writer has a method of the same name).
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
