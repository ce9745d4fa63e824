import Foundation

/// Someone this profile knows, identified by the key their ID pins.
public struct Contact: Hashable, Sendable {
    public var id: ContactID
    /// The local name, unique in this profile (case-insensitive).
    public var name: String
    public var trust: TrustState
    /// Where the contact was last reachable; manual ones first, then learnt ones, newest first.
    public var addresses: [PeerAddress]
    public var createdAt: Date
    public var lastSeen: Date?
    /// When the contact was removed with its history kept (nil: a contact). Such a row is no
    /// contact: only its history (by name or ID) still finds it.
    public var removedAt: Date?

    public init(id: ContactID, name: String, trust: TrustState = .unverified, addresses: [PeerAddress] = [],
                createdAt: Date = Date(), lastSeen: Date? = nil, removedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.trust = trust
        self.addresses = addresses
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.removedAt = removedAt
    }
}
