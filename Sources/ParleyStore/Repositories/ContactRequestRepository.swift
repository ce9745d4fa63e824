import Foundation
import GRDB
import ParleyCore

/// Contact requests from peers who are not contacts, waiting for an answer.
public struct ContactRequestRepository: Sendable {
    let writer: DatabasePool

    /// Stores (or refreshes) a request; a peer has at most one pending request.
    /// With more than `keepingAtMost` pending, the oldest are dropped.
    public func store(_ request: PendingContactRequest, keepingAtMost limit: Int = .max) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: """
                    INSERT INTO contact_requests (peer_id, display_name, note, address, received_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (peer_id) DO UPDATE SET display_name = excluded.display_name, note = excluded.note,
                        address = excluded.address, received_at = excluded.received_at
                    """, arguments: [request.peerID.canonical, request.displayName, request.note,
                                     request.address?.description, request.receivedAt.millisecondsSince1970])
                try db.execute(sql: """
                    DELETE FROM contact_requests WHERE id NOT IN
                        (SELECT id FROM contact_requests ORDER BY received_at DESC, id DESC LIMIT ?)
                    """, arguments: [max(1, limit)])
            }
        }
    }

    /// Pending requests, oldest first.
    public func all() throws(StoreError) -> [PendingContactRequest] {
        try storeOperation {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM contact_requests ORDER BY received_at").compactMap(Self.request)
            }
        }
    }

    /// Finds a pending request by the peer's ID or by the name it gave itself.
    public func resolve(_ reference: String) throws(StoreError) -> PendingContactRequest {
        let requests = try all()
        if let id = try? ContactID(parsing: reference), let match = requests.first(where: { $0.peerID == id }) {
            return match
        }
        let byName = requests.filter { $0.displayName.caseInsensitiveCompare(reference) == .orderedSame }
        guard byName.count == 1 else { throw .unknownRequest(reference) }
        return byName[0]
    }

    /// Forgets a request (accepted or declined).
    public func remove(_ peerID: ContactID) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: "DELETE FROM contact_requests WHERE peer_id = ?", arguments: [peerID.canonical])
            }
        }
    }

    static func request(_ row: Row) -> PendingContactRequest? {
        guard let id = try? ContactID(parsing: row["peer_id"]) else { return nil }
        let address: String? = row["address"]
        return PendingContactRequest(peerID: id, displayName: row["display_name"], note: row["note"],
                              address: address.flatMap { try? PeerAddress(parsing: $0) },
                              receivedAt: Date(millisecondsSince1970: row["received_at"]))
    }
}
