import ParleyCore
import ParleyStore
import ParleyWire

/// Storing messages to send: the checks every path makes (the node, the CLI without a node).
public enum OutgoingMessages {
    /// Checks the texts (not empty, no NUL, within the wire limit) and the contact (known, not
    /// blocked), then stores them as queued, in order, in one transaction. A node sends them
    /// when a link to the contact is up.
    public static func enqueue(_ texts: [String], to reference: String, in database: ParleyDatabase) throws -> (Contact, [Message]) {
        let contact = try database.contacts.resolve(reference)
        guard contact.trust != .blocked else { throw NodeError.blocked(contact.name) }
        for text in texts {
            guard !text.isEmpty else { throw NodeError.emptyMessage }
            guard !text.utf8.contains(0) else { throw NodeError.nulInMessage }
            guard text.utf8.count <= WireLimits.maxChatBodyBytes else {
                throw NodeError.messageTooLong(text.utf8.count)
            }
        }
        return (contact, try database.messages.enqueueOutgoing(to: contact.id, bodies: texts))
    }
}
