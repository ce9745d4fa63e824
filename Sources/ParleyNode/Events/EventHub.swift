import Foundation
import NIOConcurrencyHelpers

/// Fans node events out to every subscriber (the control socket's `events`
/// streams, the terminal UI). A slow subscriber loses its oldest events
/// rather than slowing the node down.
public final class EventHub: Sendable {
    private let subscribers = NIOLockedValueBox([Int: AsyncStream<PublishedEvent>.Continuation]())
    private let nextID = NIOLockedValueBox(0)

    public init() {}

    /// A stream of every event published from now on.
    public func subscribe() -> AsyncStream<PublishedEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PublishedEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        let id = nextID.withLockedValue { value in
            value += 1
            return value
        }
        subscribers.withLockedValue { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLockedValue { $0.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ event: NodeEvent) {
        let published = PublishedEvent(event: event, at: Date())
        for continuation in subscribers.withLockedValue({ Array($0.values) }) {
            continuation.yield(published)
        }
    }

    /// Ends every subscription.
    public func finish() {
        for continuation in subscribers.withLockedValue({ Array($0.values) }) {
            continuation.finish()
        }
    }
}
