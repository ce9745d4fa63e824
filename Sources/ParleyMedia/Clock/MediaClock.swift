#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock media sources are paced by: monotonic nanoseconds and a way to wait.
public protocol MediaClock: Sendable {
    /// Monotonic time in nanoseconds (arbitrary origin).
    func nowNanoseconds() -> UInt64
    /// Returns once `nowNanoseconds()` has reached `deadline` (or at once if it has).
    func sleep(untilNanoseconds deadline: UInt64) async throws
    /// The same, blocking the calling thread: for a media thread of its own (a call's
    /// capture thread), never for a task of Swift's cooperative pool.
    func sleepBlocking(untilNanoseconds deadline: UInt64) throws
}

extension MediaClock {
    /// Default for clocks that only wait asynchronously: waits for `sleep` on a task.
    public func sleepBlocking(untilNanoseconds deadline: UInt64) throws {
        try BlockingBridge.wait { try await self.sleep(untilNanoseconds: deadline) }
    }
}

/// The system's monotonic clock (`ContinuousClock`, CLOCK_MONOTONIC on Linux).
public struct MonotonicClock: MediaClock {
    private static let origin = ContinuousClock.now

    public init() {}

    public func nowNanoseconds() -> UInt64 {
        let elapsed = ContinuousClock.now - Self.origin
        let (seconds, attoseconds) = elapsed.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    public func sleep(untilNanoseconds deadline: UInt64) async throws {
        let now = nowNanoseconds()
        guard deadline > now else { return }
        try await Task.sleep(until: ContinuousClock.now + .nanoseconds(Int64(deadline - now)), clock: .continuous)
    }

    /// Sleeps the calling thread (nanosleep) until `deadline`.
    public func sleepBlocking(untilNanoseconds deadline: UInt64) {
        while true {
            let now = nowNanoseconds()
            guard deadline > now else { return }
            let remaining = deadline - now
            var request = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            _ = nanosleep(&request, nil)
        }
    }
}

/// Hands out frame deadlines at a fixed rate from the first frame on, so pacing never
/// drifts (each deadline is computed from the start, not from the previous wake-up).
public struct RealTimePacer: Sendable {
    public let clock: any MediaClock
    /// Nanoseconds per frame as a fraction, to keep e.g. 30000/1001 fps exact.
    public let frameDurationNumerator: UInt64
    public let frameDurationDenominator: UInt64
    private var start: UInt64?
    public private(set) var framesPaced: UInt64 = 0

    /// `framesPerSecondNumerator / framesPerSecondDenominator` frames per second.
    public init(clock: any MediaClock, framesPerSecondNumerator: Int, framesPerSecondDenominator: Int = 1) {
        precondition(framesPerSecondNumerator > 0 && framesPerSecondDenominator > 0, "frame rate must be positive")
        self.clock = clock
        frameDurationNumerator = 1_000_000_000 * UInt64(framesPerSecondDenominator)
        frameDurationDenominator = UInt64(framesPerSecondNumerator)
    }

    /// Waits until the next frame is due; returns its capture time (nanoseconds of the clock).
    public mutating func waitForNextFrame() async throws -> UInt64 {
        let deadline = nextDeadline()
        try await clock.sleep(untilNanoseconds: deadline)
        framesPaced += 1
        return deadline
    }

    /// The same, blocking the calling thread (a media thread of its own).
    public mutating func waitForNextFrameBlocking() throws -> UInt64 {
        let deadline = nextDeadline()
        try clock.sleepBlocking(untilNanoseconds: deadline)
        framesPaced += 1
        return deadline
    }

    private mutating func nextDeadline() -> UInt64 {
        let start = self.start ?? clock.nowNanoseconds()
        self.start = start
        let (deadline, overflow) = start.addingReportingOverflow(offset(ofFrame: framesPaced))
        return overflow ? .max : deadline
    }

    /// Nanoseconds from the first frame to frame `index`. Computed in 128 bits: the product
    /// outgrows 64 bits after about 18 million frames at 30000/1001 fps (a week).
    public func offset(ofFrame index: UInt64) -> UInt64 {
        let product = index.multipliedFullWidth(by: frameDurationNumerator)
        guard product.high < frameDurationDenominator else { return .max }   // past 584 years
        return frameDurationDenominator.dividingFullWidth(product).quotient
    }
}
