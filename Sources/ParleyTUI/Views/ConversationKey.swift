import ParleyCore

/// What the right-hand side shows: a conversation with a contact, or a
/// pending contact request waiting for an answer.
public enum ConversationKey: Sendable, Hashable {
    case contact(ContactID)
    case request(ContactID)

    public var peerID: ContactID {
        switch self {
        case .contact(let id), .request(let id): id
        }
    }
}
