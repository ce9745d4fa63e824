/// The CONTACT_REQUEST_RESULT payload (type 0x0021): how a contact request was handled.
public enum ContactRequestStatus: UInt8, Sendable, Hashable, CaseIterable {
    /// Stored as a pending request for the receiving user to accept or refuse.
    case received = 1
    /// The requester is already a contact.
    case alreadyContact = 2
    /// Too many requests; try again later.
    case rateLimited = 3
    /// The receiver does not accept contact requests from this peer.
    case refused = 4
}
