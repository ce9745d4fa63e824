import NIOConcurrencyHelpers
import ParleyCore

/// Who may complete a TLS handshake with this node, kept in memory so the
/// TLS callback never waits on the database. Reloaded when contacts change.
final class PeerPolicy: Sendable {
    private let blocked = NIOLockedValueBox(Set<ContactID>())

    init(contacts: [Contact]) {
        update(contacts: contacts)
    }

    /// Takes the current contact list (blocked ones are refused from now on).
    func update(contacts: [Contact]) {
        let ids = Set(contacts.filter { $0.trust == .blocked }.map(\.id))
        blocked.withLockedValue { $0 = ids }
    }

    /// Everyone but blocked contacts completes the handshake; unknown peers
    /// can then only send a contact request.
    func admits(_ id: ContactID) -> Bool {
        !blocked.withLockedValue { $0.contains(id) }
    }
}
