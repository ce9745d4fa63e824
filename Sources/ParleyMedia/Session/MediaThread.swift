import Dispatch
import Foundation

/// A Foundation thread of its own for one loop of a call's media (capture and encode,
/// receive and play out): codecs and blocking device calls never run on Swift's
/// cooperative pool, whose few threads (two on a two-core machine) the rest of the
/// program needs.
final class MediaThread: @unchecked Sendable {
    private let thread: Thread
    private let finished = DispatchSemaphore(value: 0)

    /// `name` shows in `top -H` and profilers; Linux keeps names of at most 15 bytes and
    /// ignores longer ones.
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let finished = finished
        thread = Thread {
            Thread.current.name = name   // set on the thread itself: Linux shows it then
            body()
            finished.signal()
        }
        thread.name = name
    }

    func start() {
        thread.start()
    }

    /// Waits up to `seconds` for the loop to end; false when it is still running (blocked
    /// in a device call, say): it finishes on its own later.
    @discardableResult
    func join(seconds: Double) -> Bool {
        guard finished.wait(timeout: .now() + seconds) == .success else { return false }
        finished.signal()   // later joins return at once too
        return true
    }
}
