import Foundation

/// Items handed to a call's media thread from other threads (datagrams from the
/// transport, RTCP feedback for a sender): bounded, and the media thread waits for the
/// next items or its next deadline, whichever comes first.
final class MediaInbox<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues `item`; false (dropped) when the inbox is full or closed. `wakes`: whether the
    /// waiting thread is woken for it; an item that can wait for the thread's next deadline
    /// (audio, played only on the playout tick) saves a thread switch.
    @discardableResult
    func put(_ item: Item, wakes: Bool = true) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, items.count < capacity else { return false }
        items.append(item)
        if wakes { condition.signal() }
        return true
    }

    /// Everything queued, at once if there is something; otherwise waits until something
    /// comes, `deadline` (nanoseconds of `clock`) passes or the inbox closes.
    func take(until deadline: UInt64, clock: MonotonicClock) -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed {
            let now = clock.nowNanoseconds()
            guard deadline > now else { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(deadline - now) / 1e9))
        }
        let taken = items
        items.removeAll(keepingCapacity: true)
        return taken
    }

    /// What is queued now, without waiting.
    func takeAll() -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        let taken = items
        items.removeAll(keepingCapacity: true)
        return taken
    }

    /// Refuses new items and wakes the waiting thread.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }
}
