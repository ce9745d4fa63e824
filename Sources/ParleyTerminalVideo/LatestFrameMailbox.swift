import Foundation

/// A slot holding at most one value: putting a new one replaces one not yet taken (it is
/// dropped and counted), so a slow consumer always gets the newest and never a backlog.
/// Thread-safe; `take` blocks (a thread of its own, never Swift's cooperative pool).
public final class LatestFrameMailbox<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?
    private var closed = false
    private var droppedCount = 0

    public init() {}

    /// Puts `value`, replacing (dropping) one not yet taken. Returns false when that happened.
    @discardableResult
    public func put(_ value: Value) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        let replaced = self.value != nil
        if replaced { droppedCount += 1 }
        self.value = value
        condition.signal()
        return !replaced
    }

    /// Waits for a value (up to `timeout` seconds when given); nil once closed and empty or
    /// when the time is up.
    public func take(timeout: Double? = nil) -> Value? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        while value == nil && !closed {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        let taken = value
        value = nil
        return taken
    }

    /// Takes the value there is, without waiting.
    public func poll() -> Value? {
        condition.lock()
        defer { condition.unlock() }
        let taken = value
        value = nil
        return taken
    }

    /// Values replaced before they were taken.
    public var dropped: Int {
        condition.lock()
        defer { condition.unlock() }
        return droppedCount
    }

    /// Wakes waiters; later `put`s are refused.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
