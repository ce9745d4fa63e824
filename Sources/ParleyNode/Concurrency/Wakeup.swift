import NIOConcurrencyHelpers

/// A one-consumer wake-up signal: `signal()` wakes the waiter, or the next
/// `wait` if nobody waits yet (signals coalesce). Waiting ends early on
/// cancellation or after the optional timeout.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())

    init() {}

    func signal() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when signalled, cancelled, or after `timeout`.
    func wait(timeout: Duration? = nil) async {
        let generation = state.withLockedValue { state -> Int? in
            if state.pending {
                state.pending = false
                return nil
            }
            state.generation += 1
            return state.generation
        }
        guard let generation else { return }
        let timer = timeout.map { timeout in
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.resume(generation: generation)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.pending || state.generation != generation || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            resume(generation: generation)
        }
        timer?.cancel()
    }

    /// Ends the wait of `generation` if it is still going on.
    private func resume(generation: Int) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation else { return nil }
            state.generation += 1  // a wait that has not parked yet sees the change and returns
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
