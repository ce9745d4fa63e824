import NIOConcurrencyHelpers

/// A producer/consumer queue that hands the consumer everything queued so
/// far in one batch (for group commits), with a high-water mark that makes
/// the producer wait while the consumer catches up.
final class BatchQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var consumer: CheckedContinuation<[Element]?, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    private let state = NIOLockedValueBox(State())
    private let highWaterMark: Int

    init(highWaterMark: Int = 4096) {
        self.highWaterMark = highWaterMark
    }

    /// Queues an element; waits while the queue is above its high-water mark.
    func append(_ element: Element) async {
        let consumer = state.withLockedValue { state -> CheckedContinuation<[Element]?, Never>? in
            guard !state.finished else { return nil }
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer
            }
            state.items.append(element)
            return nil
        }
        if let consumer {
            consumer.resume(returning: [element])
            return
        }
        guard state.withLockedValue({ $0.items.count >= highWaterMark && !$0.finished }) else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLockedValue { state -> Bool in
                guard state.items.count >= highWaterMark, !state.finished else { return true }
                state.producers.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Everything queued, waiting for at least one element; nil once finished and drained.
    func next() async -> [Element]? {
        await withCheckedContinuation { continuation in
            let (batch, producers) = state.withLockedValue { state -> ([Element]??, [CheckedContinuation<Void, Never>]) in
                if !state.items.isEmpty {
                    defer { state.items = []; state.producers = [] }
                    return (.some(state.items), state.producers)
                }
                if state.finished { return (.some(nil), []) }
                state.consumer = continuation
                return (nil, [])
            }
            producers.forEach { $0.resume() }
            if let batch { continuation.resume(returning: batch) }
        }
    }

    /// No more elements: the consumer gets what is left, then nil.
    func finish() {
        let (consumer, producers) = state.withLockedValue { state in
            state.finished = true
            defer { state.consumer = nil; state.producers = [] }
            return (state.consumer, state.producers)
        }
        consumer?.resume(returning: nil)
        producers.forEach { $0.resume() }
    }
}
