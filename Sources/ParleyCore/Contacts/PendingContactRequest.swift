import Foundation

/// A request from a peer who is not (yet) a contact.
public struct PendingContactRequest: Hashable, Sendable {
    public var peerID: ContactID
    /// The name the peer gave itself.
    public var displayName: String
    public var note: String
    /// The address the request came from, with the peer's listening port.
    public var address: PeerAddress?
    public var receivedAt: Date

    public init(peerID: ContactID, displayName: String, note: String, address: PeerAddress?, receivedAt: Date = Date()) {
        self.peerID = peerID
        self.displayName = displayName
        self.note = note
        self.address = address
        self.receivedAt = receivedAt
    }
}
