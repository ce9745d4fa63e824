import NIOConcurrencyHelpers
import ParleyCore
import ParleyStore

/// Who may complete a TLS handshake with this node, kept in memory so the
/// TLS callback never waits on the database. Reloaded when contacts change.
final class PeerPolicy: Sendable {
    private let blocked = NIOLockedValueBox(Set<ContactID>())

    init(database: ParleyDatabase) throws {
        try reload(from: database)
    }

    func reload(from database: ParleyDatabase) throws {
        let ids = Set(try database.contacts.all().filter { $0.trust == .blocked }.map(\.id))
        blocked.withLockedValue { $0 = ids }
    }

    /// Everyone but blocked contacts completes the handshake; unknown peers
    /// can then only send a contact request.
    func admits(_ id: ContactID) -> Bool {
        !blocked.withLockedValue { $0.contains(id) }
    }
}
