import Foundation
import GRDB
import ParleyCore

/// File transfers and their durable progress.
public struct TransferRepository: Sendable {
    let writer: DatabasePool

    /// Stores a new transfer (an offer made or received).
    public func insert(_ transfer: Transfer) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                guard let contact = try Int64.fetchOne(db, sql: "SELECT id FROM contacts WHERE contact_id = ?",
                                                       arguments: [transfer.contactID.canonical]) else {
                    throw StoreError.unknownContact(transfer.contactID.grouped)
                }
                try db.execute(sql: """
                    INSERT INTO transfers (uuid, contact, direction, file_name, local_path, part_path, size, sha256,
                                           mime_type, bytes_done, bytes_sent, state, pause_reason, failure_reason, error,
                                           created_at, updated_at, source_signature)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [
                        transfer.id.uuidString, contact, transfer.direction.rawValue, transfer.fileName,
                        transfer.localPath, transfer.partPath, Int64(clamping: transfer.size), transfer.sha256,
                        transfer.mimeType, Int64(clamping: transfer.bytesDone), Int64(clamping: transfer.bytesSent),
                        transfer.state.rawValue, transfer.pauseReason?.rawValue, transfer.failureReason?.rawValue,
                        transfer.error, transfer.createdAt.millisecondsSince1970,
                        transfer.updatedAt.millisecondsSince1970, transfer.sourceSignature,
                    ])
            }
        }
    }

    /// Writes back every mutable field of `transfer`.
    public func update(_ transfer: Transfer, now: Date = Date()) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE transfers SET local_path = ?, part_path = ?, bytes_done = ?, bytes_sent = ?, state = ?,
                                         pause_reason = ?, failure_reason = ?, error = ?, updated_at = ?
                    WHERE uuid = ?
                    """, arguments: [
                        transfer.localPath, transfer.partPath, Int64(clamping: transfer.bytesDone), Int64(clamping: transfer.bytesSent),
                        transfer.state.rawValue, transfer.pauseReason?.rawValue, transfer.failureReason?.rawValue,
                        transfer.error, now.millisecondsSince1970, transfer.id.uuidString,
                    ])
            }
        }
    }

    /// Records that the receiver's part file holds `bytes` durable bytes (never moves backwards).
    public func recordDurable(_ id: UUID, bytes: UInt64, now: Date = Date()) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE transfers SET bytes_done = max(bytes_done, ?), updated_at = ?
                    WHERE uuid = ? AND state IN ('accepted', 'active')
                    """, arguments: [Int64(clamping: bytes), now.millisecondsSince1970, id.uuidString])
            }
        }
    }

    /// Records what the sender has put on the wire (`sent`, resends included) and what the
    /// receiver acknowledged (`bytes_done` never moves backwards); only while `active`.
    public func recordSent(_ id: UUID, sent: UInt64, acknowledged: UInt64, now: Date = Date()) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE transfers SET bytes_sent = ?, bytes_done = max(bytes_done, ?), updated_at = ?
                    WHERE uuid = ? AND state = 'active'
                    """, arguments: [Int64(clamping: sent), Int64(clamping: acknowledged), now.millisecondsSince1970,
                                     id.uuidString])
            }
        }
    }

    public func transfer(_ id: UUID) throws(StoreError) -> Transfer? {
        try fetch("WHERE t.uuid = ?", [id.uuidString]).first
    }

    /// Finds a transfer by its full ID or an unambiguous prefix of it (as shown by `parley file list`).
    public func resolve(_ reference: String) throws(StoreError) -> Transfer {
        let prefix = reference.uppercased()
        let matches = try fetch("WHERE t.uuid LIKE ? ESCAPE '\\' ORDER BY t.id", [
            prefix.replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%",
        ])
        guard prefix.count >= 4, matches.count == 1 else { throw .unknownTransfer(reference) }
        return matches[0]
    }

    /// Every transfer, newest first.
    public func all(limit: Int = 500) throws(StoreError) -> [Transfer] {
        try fetch("ORDER BY t.id DESC LIMIT ?", [limit])
    }

    /// One contact's transfers offered between two times (a span of its conversation), oldest
    /// first: the files shown among its messages.
    public func between(_ start: Date, _ end: Date, with contact: ContactID) throws(StoreError) -> [Transfer] {
        try fetch(Self.spanClause, [contact.canonical, start.millisecondsSince1970, end.millisecondsSince1970])
    }

    /// `between`'s condition: walks `transfers_by_contact` (migration 0010), no sorting step.
    static let spanClause = "WHERE c.contact_id = ? AND t.created_at BETWEEN ? AND ? ORDER BY t.created_at, t.id"

    /// How many offers `id` made to us that still wait for an answer.
    public func openOfferCount(from id: ContactID) throws(StoreError) -> Int {
        try storeOperation {
            try writer.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM transfers t JOIN contacts c ON c.id = t.contact
                    WHERE c.contact_id = ? AND t.direction = 'in' AND t.state = 'offered'
                    """, arguments: [id.canonical]) ?? 0
            }
        }
    }

    /// Transfers with `id` that are not over yet: what to pick up when a link comes up.
    public func unfinished(with id: ContactID) throws(StoreError) -> [Transfer] {
        try fetch("""
            WHERE c.contact_id = ? AND t.state IN ('offered', 'accepted', 'active', 'paused') ORDER BY t.id
            """, [id.canonical])
    }

    /// The final paths promised to unfinished incoming transfers: names a new download must not take.
    public func reservedDownloadPaths() throws(StoreError) -> Set<String> {
        try storeOperation {
            try writer.read { db in
                Set(try String.fetchAll(db, sql: """
                    SELECT local_path FROM transfers
                    WHERE direction = 'in' AND state IN ('offered', 'accepted', 'active', 'paused')
                          AND local_path IS NOT NULL
                    """))
            }
        }
    }

    private func fetch(_ clause: String, _ arguments: StatementArguments) throws(StoreError) -> [Transfer] {
        try storeOperation {
            try writer.read { db in
                try Row.fetchAll(db, sql: Self.select + " " + clause, arguments: arguments).compactMap(Self.transfer)
            }
        }
    }

    static let select = "SELECT t.*, c.contact_id FROM transfers t JOIN contacts c ON c.id = t.contact"

    static func transfer(_ row: Row) -> Transfer? {
        guard let id = UUID(uuidString: row["uuid"]), let contactID = try? ContactID(parsing: row["contact_id"]),
              let direction = MessageDirection(rawValue: row["direction"]),
              let state = TransferState(rawValue: row["state"]) else { return nil }
        let size: Int64 = row["size"], done: Int64 = row["bytes_done"], sent: Int64 = row["bytes_sent"]
        return Transfer(id: id, contactID: contactID, direction: direction, fileName: row["file_name"],
                        localPath: row["local_path"], partPath: row["part_path"], size: UInt64(max(0, size)),
                        sha256: row["sha256"], mimeType: row["mime_type"], bytesDone: UInt64(max(0, done)),
                        bytesSent: UInt64(max(0, sent)), state: state,
                        pauseReason: (row["pause_reason"] as String?).flatMap(TransferPauseReason.init(rawValue:)),
                        failureReason: (row["failure_reason"] as String?).flatMap(TransferFailureReason.init(rawValue:)),
                        error: row["error"],
                        createdAt: Date(millisecondsSince1970: row["created_at"]),
                        updatedAt: Date(millisecondsSince1970: row["updated_at"]),
                        sourceSignature: row["source_signature"])
    }
}
