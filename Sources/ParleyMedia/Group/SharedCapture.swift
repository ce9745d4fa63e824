import Foundation

/// One capture device read by several consumers (the legs of a group call): whichever
/// branch finds its queue empty reads the device, without holding the lock, and hands a
/// copy to every other branch. A branch that falls behind keeps only its newest
/// `maxQueued` items, so a stopped consumer never holds old audio or video back.
final class SharedCapture<Item>: @unchecked Sendable {
    private struct Branch {
        var queue: [Item] = []
        var dropped = 0
    }

    private let condition = NSCondition()
    private let read: () throws -> Item?
    private let maxQueued: Int
    private var branches: [Int: Branch] = [:]
    private var nextBranch = 0
    private var reading = false
    private var ended = false
    private var failure: (any Error)?

    init(maxQueued: Int, read: @escaping () throws -> Item?) {
        self.maxQueued = max(1, maxQueued)
        self.read = read
    }

    /// A new consumer; it gets what is captured from now on.
    func attach() -> Int {
        condition.lock()
        defer { condition.unlock() }
        nextBranch += 1
        branches[nextBranch] = Branch()
        return nextBranch
    }

    /// The consumer is gone: nothing more is queued for it.
    func detach(_ branch: Int) {
        condition.lock()
        branches[branch] = nil
        condition.broadcast()
        condition.unlock()
    }

    /// Items dropped for a branch that fell behind.
    func dropped(_ branch: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        return branches[branch]?.dropped ?? 0
    }

    /// The branch's next item, blocking until one is captured; nil once the device ended
    /// (or the branch was detached). A device error reaches every branch.
    func next(for branch: Int) throws -> Item? {
        condition.lock()
        while true {
            guard branches[branch] != nil else { condition.unlock(); return nil }
            if let item = branches[branch]?.queue.first {
                branches[branch]?.queue.removeFirst()
                condition.unlock()
                return item
            }
            if let failure { condition.unlock(); throw failure }
            if ended { condition.unlock(); return nil }
            if !reading { break }
            condition.wait()
        }
        reading = true
        condition.unlock()
        let result = Result { try read() }
        condition.lock()
        defer {
            reading = false
            condition.broadcast()
            condition.unlock()
        }
        switch result {
        case .failure(let error):
            failure = error
            throw error
        case .success(nil):
            ended = true
            return nil
        case .success(let item?):
            for key in branches.keys where key != branch {
                branches[key]?.queue.append(item)
                if let count = branches[key]?.queue.count, count > maxQueued {
                    branches[key]?.queue.removeFirst(count - maxQueued)
                    branches[key]?.dropped += count - maxQueued
                }
            }
            return item
        }
    }
}
