import NIOConcurrencyHelpers
import ParleyNode

/// What other threads hand to the UI loop: node events, answers to
/// asynchronous requests, a request to quit. The loop drains it between keys.
final class UIInbox: Sendable {
    enum Item: Sendable {
        case event(NodeEvent)
        case status(NodeStatus)
        case notice(String, isError: Bool)
        case transfersChanged
        /// The call going on as the node reports it (nil: none).
        case call(CallStatus?)
        case quit
    }

    private let items = NIOLockedValueBox<[Item]>([])

    func post(_ item: Item) {
        items.withLockedValue { $0.append(item) }
    }

    /// Everything posted since the last call, oldest first.
    func drain() -> [Item] {
        items.withLockedValue { items in
            defer { items.removeAll(keepingCapacity: true) }
            return items
        }
    }
}
