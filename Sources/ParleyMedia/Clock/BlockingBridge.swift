import Dispatch

/// Runs async work to completion from a thread that may block — a media thread of its
/// own, never a task of Swift's cooperative pool. It is the fallback for sources and
/// clocks (of other modules, test doubles) that only have an async form; Parley's own
/// sources and `MonotonicClock` block natively.
enum BlockingBridge {
    static func wait<Value>(_ operation: @escaping () async throws -> Value) throws -> Value {
        let box = Box(operation)
        let done = DispatchSemaphore(value: 0)
        Task {
            await box.run()
            done.signal()
        }
        done.wait()
        guard let result = box.result else { throw CancellationError() }
        return try result.get()
    }

    /// The operation and its result, handed between the waiting thread and the task; the
    /// semaphore orders the accesses.
    private final class Box<Value>: @unchecked Sendable {
        let operation: () async throws -> Value
        var result: Result<Value, any Error>?

        init(_ operation: @escaping () async throws -> Value) {
            self.operation = operation
        }

        func run() async {
            do { result = .success(try await operation()) } catch { result = .failure(error) }
        }
    }
}
