import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Makes a stop request final: the node has a few seconds to close its links
/// and the database cleanly, then the process exits anyway; a second signal
/// exits at once. The timer runs on a Dispatch queue, so a stuck task on
/// Swift's cooperative pool cannot hold it up.
enum ShutdownDeadline {
    /// How long a clean shutdown may take.
    static let grace: DispatchTimeInterval = .seconds(5)

    private static let requested = NIOLockedValueBox(false)

    static func start(logger: Logger) {
        let again = requested.withLockedValue { requested in
            defer { requested = true }
            return requested
        }
        if again {
            logger.notice("second stop signal: exiting now")
            exit(0)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
            logger.warning("shutdown took longer than 5 s: exiting anyway")
            exit(0)
        }
    }
}
