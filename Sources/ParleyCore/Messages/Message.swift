import Foundation

/// Which way a message travelled.
public enum MessageDirection: String, Sendable, Codable {
    case incoming = "in"
    case outgoing = "out"
}

/// Where a message is in its life. Outgoing: queued → sent → delivered → read
/// (or failed). Incoming messages are `delivered` once stored and `read` once shown.
public enum MessageState: String, Sendable, Codable, CaseIterable {
    case queued, sent, delivered, read, failed

    /// Whether a state follows this one, so receipts never move a message backwards.
    public func precedes(_ other: MessageState) -> Bool {
        let order: [MessageState] = [.queued, .sent, .delivered, .read]
        guard let lhs = order.firstIndex(of: self), let rhs = order.firstIndex(of: other) else { return false }
        return lhs < rhs
    }
}

/// A chat message as stored in a conversation.
public struct Message: Hashable, Sendable {
    public var id: UUID
    /// The contact the conversation is with.
    public var contactID: ContactID
    public var direction: MessageDirection
    public var body: String
    /// When the sender wrote it (the sender's clock).
    public var sentAt: Date
    /// When it was stored on the receiving side (incoming), or delivered (outgoing).
    public var receivedAt: Date?
    public var readAt: Date?
    public var state: MessageState

    public init(id: UUID = .timeOrdered(), contactID: ContactID, direction: MessageDirection, body: String, sentAt: Date,
                receivedAt: Date? = nil, readAt: Date? = nil, state: MessageState) {
        self.id = id
        self.contactID = contactID
        self.direction = direction
        self.body = body
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.readAt = readAt
        self.state = state
    }
}
