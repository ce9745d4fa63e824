import Foundation
import ParleyCore

/// The JSON shape of a contact in `--json` output.
struct ContactJSON: Encodable {
    let id: String
    let name: String
    let trust: String
    let addresses: [String]
    let createdAt: Date
    let lastSeen: Date?

    init(_ contact: Contact) {
        id = contact.id.grouped
        name = contact.name
        trust = contact.trust.rawValue
        addresses = contact.addresses.map(\.description)
        createdAt = contact.createdAt
        lastSeen = contact.lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case id, name, trust, addresses
        case createdAt = "created_at"
        case lastSeen = "last_seen"
    }
}

/// The JSON shape of a stored message.
struct MessageJSON: Encodable {
    let id: String
    let contact: String
    let direction: String
    let body: String
    let sentAt: Date
    let receivedAt: Date?
    let readAt: Date?
    let state: String

    init(_ message: Message) {
        id = message.id.uuidString
        contact = message.contactID.grouped
        direction = message.direction.rawValue
        body = message.body
        sentAt = message.sentAt
        receivedAt = message.receivedAt
        readAt = message.readAt
        state = message.state.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case id, contact, direction, body, state
        case sentAt = "sent_at"
        case receivedAt = "received_at"
        case readAt = "read_at"
    }
}

/// The JSON shape of a pending contact request.
struct ContactRequestJSON: Encodable {
    let id: String
    let displayName: String
    let note: String
    let address: String?
    let receivedAt: Date

    init(_ request: PendingContactRequest) {
        id = request.peerID.grouped
        displayName = request.displayName
        note = request.note
        address = request.address?.description
        receivedAt = request.receivedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, note, address
        case displayName = "display_name"
        case receivedAt = "received_at"
    }
}
