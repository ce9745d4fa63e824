import Foundation
import ParleyCore
import ParleyStore

/// The contact operations people ask for, with their input checked: used by
/// the CLI when no node runs and by the node's control socket when one does.
public struct ContactService: Sendable {
    public let database: ParleyDatabase
    public let ownID: ContactID

    public init(database: ParleyDatabase, ownID: ContactID) {
        self.database = database
        self.ownID = ownID
    }

    /// Adds a contact from the ID and name a person typed.
    public func add(id idText: String, name nameText: String, addresses addressTexts: [String] = []) throws -> Contact {
        let id = try ContactID(parsing: idText)
        guard id != ownID else { throw ContactServiceError.ownID }
        let name = try ContactName.validated(nameText)
        let addresses = try addressTexts.map { text throws(PeerAddressError) in try PeerAddress(parsing: text) }
        let contact = try database.contacts.add(id: id, name: name, addresses: addresses)
        try? database.requests.remove(id)  // adding someone answers their pending request
        return contact
    }

    public func list() throws -> [Contact] { try database.contacts.all() }

    public func resolve(_ reference: String) throws -> Contact { try database.contacts.resolve(reference) }

    public func rename(_ reference: String, to newName: String) throws -> Contact {
        try database.contacts.rename(reference, to: try ContactName.validated(newName))
    }

    /// Removes a contact with its conversation, or keeping the conversation readable (the
    /// contact is then out: not listed, not dialled, treated as a stranger).
    public func remove(_ reference: String, keepingHistory: Bool = false) throws -> Contact {
        try database.contacts.remove(reference, keepingHistory: keepingHistory)
    }

    public func setTrust(_ reference: String, to trust: TrustState) throws -> Contact {
        try database.contacts.setTrust(reference, to: trust)
    }

    /// Forgets an address of a contact (HOST without a port means 29172).
    public func removeAddress(_ reference: String, address text: String) throws -> Contact {
        let contact = try resolve(reference)
        let address = try PeerAddress(parsing: text)
        guard try database.contacts.removeAddress(address, for: contact.id) else {
            throw ContactAddressError.notAnAddressOf(contact.name, address.description)
        }
        return try resolve(contact.id.canonical)
    }

    public func addAddress(_ reference: String, address text: String) throws -> Contact {
        let contact = try resolve(reference)
        try database.contacts.addAddress(try PeerAddress(parsing: text), for: contact.id, source: .manual)
        return try resolve(contact.id.canonical)
    }

    /// Pending contact requests.
    public func requests() throws -> [PendingContactRequest] { try database.requests.all() }

    /// Accepts a pending request: the peer becomes a contact, named as given or as it named itself.
    public func accept(_ reference: String, name: String? = nil) throws -> Contact {
        let request = try database.requests.resolve(reference)
        let proposed = try ContactName.validated(name ?? request.displayName)
        let contact = try database.contacts.add(id: request.peerID, name: proposed,
                                                addresses: request.address.map { [$0] } ?? [])
        try database.requests.remove(request.peerID)
        return contact
    }

    /// Declines a pending request: it is forgotten; the peer may ask again later.
    public func decline(_ reference: String) throws -> PendingContactRequest {
        let request = try database.requests.resolve(reference)
        try database.requests.remove(request.peerID)
        return request
    }
}

/// Contact operations refused for a reason of their own.
public enum ContactServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    case ownID

    public var description: String {
        switch self {
        case .ownID: "that is this profile's own ID; add the ID of the person you want to talk to"
        }
    }
}

/// An address operation that cannot be done.
public enum ContactAddressError: Error, CustomStringConvertible, Equatable {
    case notAnAddressOf(String, String)

    public var description: String {
        switch self {
        case .notAnAddressOf(let name, let address):
            "\(address) is not one of \(name)'s addresses ('parley contacts address \(name) list' shows them)"
        }
    }
}
