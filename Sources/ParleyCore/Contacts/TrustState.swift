/// How far a contact is trusted.
public enum TrustState: String, Sendable, CaseIterable, Codable {
    /// Added by ID, but the ID was not checked with its owner.
    case unverified
    /// The ID was checked with its owner (read aloud, in person…).
    case verified
    /// Refused at the TLS layer; nothing from this peer gets in.
    case blocked
}
