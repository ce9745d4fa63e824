import Foundation

/// Set once when a call's media stops; the loops check it between frames and wait on it
/// when they have nothing else to wait for.
final class StopLatch: @unchecked Sendable {
    private let condition = NSCondition()
    private var set = false

    var isSet: Bool {
        condition.lock()
        defer { condition.unlock() }
        return set
    }

    func signal() {
        condition.lock()
        set = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits up to `seconds`; true when the latch is set.
    func wait(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !set {
            guard condition.wait(until: deadline) else { break }
        }
        return set
    }
}
