import Foundation
import ParleyCore

/// Something that happened in the node, as streamed by `parley events`
/// (one JSON object per line). Fields that do not apply are omitted.
public struct NodeEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A new incoming message was stored.
        case message
        /// Outgoing messages changed state (delivered or read).
        case receipt
        /// A contact came online or went offline.
        case presence
        /// A contact started or stopped typing.
        case typing
        /// An unknown peer asked to become a contact.
        case contactRequest = "contact-request"
        /// Our contact request reached a peer who does not have us yet.
        case contactRequestSent = "contact-request-sent"
        /// A peer presented a key that does not match the contact dialled.
        case impersonation
        /// A link could not be used, with the reason.
        case linkError = "link-error"
    }

    public var event: Kind
    public var contact: String?
    public var name: String?
    public var id: String?
    public var ids: [String]?
    public var body: String?
    public var state: String?
    public var online: Bool?
    public var note: String?
    public var detail: String?
    public var sentAt: Date?
    public var at: Date

    public init(_ event: Kind, contact: ContactID? = nil, name: String? = nil, at: Date = Date()) {
        self.event = event
        self.contact = contact?.grouped
        self.name = name
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case event, contact, name, id, ids, body, state, online, note, detail, at
        case sentAt = "sent_at"
    }
}
