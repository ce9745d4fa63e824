import Foundation
import GRDB
import ParleyCore

/// The call log.
public struct CallRepository: Sendable {
    let writer: DatabasePool

    /// Stores a call as it starts ringing.
    public func insert(_ call: CallRecord) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                guard let contact = try Int64.fetchOne(db, sql: "SELECT id FROM contacts WHERE contact_id = ?",
                                                       arguments: [call.contactID.canonical]) else {
                    throw StoreError.unknownContact(call.contactID.grouped)
                }
                try db.execute(sql: """
                    INSERT INTO calls (uuid, contact, direction, kind, started_at, answered_at, ended_at, outcome, end_reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [
                        call.id.uuidString, contact, call.direction.rawValue, call.video ? "video" : "audio",
                        call.startedAt.millisecondsSince1970, call.answeredAt?.millisecondsSince1970,
                        call.endedAt?.millisecondsSince1970, call.outcome?.rawValue, call.endReason,
                    ])
            }
        }
    }

    /// Writes back when it was answered and how it ended.
    public func update(_ call: CallRecord) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE calls SET answered_at = ?, ended_at = ?, outcome = ?, end_reason = ?, kind = ? WHERE uuid = ?
                    """, arguments: [
                        call.answeredAt?.millisecondsSince1970, call.endedAt?.millisecondsSince1970,
                        call.outcome?.rawValue, call.endReason, call.video ? "video" : "audio", call.id.uuidString,
                    ])
            }
        }
    }

    /// Forgets a call (one replaced by the peer's own call to us at the same moment).
    public func delete(_ id: UUID) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: "DELETE FROM calls WHERE uuid = ?", arguments: [id.uuidString])
            }
        }
    }

    /// Calls ended without an outcome (the node stopped mid-call) are closed as failed.
    public func closeUnfinished(now: Date = Date()) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                // A call the node was in when it stopped ends when it was last seen going on
                // (`markAlive`), not when the node starts again.
                try db.execute(sql: """
                    UPDATE calls SET ended_at = min(coalesce(alive_at, answered_at, started_at, ?), ?), outcome = CASE WHEN answered_at IS NULL AND direction = 'in' THEN 'missed'
                                                                  WHEN answered_at IS NULL THEN 'failed' ELSE 'answered' END,
                                     end_reason = coalesce(end_reason, 'node-stopped')
                    WHERE outcome IS NULL
                    """, arguments: [now.millisecondsSince1970, now.millisecondsSince1970])
            }
        }
    }

    /// Notes that a call still goes on at `now` (its provisional end, should the node stop
    /// without ending it).
    public func markAlive(_ id: UUID, at now: Date = Date()) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: "UPDATE calls SET alive_at = ? WHERE uuid = ? AND outcome IS NULL",
                               arguments: [now.millisecondsSince1970, id.uuidString])
            }
        }
    }

    /// The newest calls first, all or with one contact.
    public func recent(with contact: ContactID? = nil, limit: Int = 50) throws(StoreError) -> [CallRecord] {
        try storeOperation {
            try writer.read { db in
                var sql = """
                    SELECT calls.*, contacts.contact_id AS peer FROM calls JOIN contacts ON contacts.id = calls.contact
                    """
                var arguments: StatementArguments = []
                if let contact {
                    sql += " WHERE contacts.contact_id = ?"
                    arguments += [contact.canonical]
                }
                sql += " ORDER BY calls.started_at DESC, calls.id DESC LIMIT ?"
                arguments += [max(0, limit)]
                return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.record)
            }
        }
    }

    /// The calls with a contact between two times (a page of its conversation), oldest first.
    public func between(_ start: Date, _ end: Date, with contact: ContactID) throws(StoreError) -> [CallRecord] {
        try storeOperation {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT calls.*, contacts.contact_id AS peer FROM calls JOIN contacts ON contacts.id = calls.contact
                    WHERE contacts.contact_id = ? AND calls.started_at BETWEEN ? AND ?
                    ORDER BY calls.started_at, calls.id
                    """, arguments: [contact.canonical, start.millisecondsSince1970, end.millisecondsSince1970])
                    .compactMap(Self.record)
            }
        }
    }

    private static func record(_ row: Row) -> CallRecord? {
        guard let uuid = UUID(uuidString: row["uuid"] ?? ""), let peer = try? ContactID(parsing: row["peer"] ?? ""),
              let direction = CallDirection(rawValue: row["direction"] ?? "") else { return nil }
        let answered: Int64? = row["answered_at"], ended: Int64? = row["ended_at"]
        return CallRecord(
            id: uuid, contactID: peer, direction: direction, video: (row["kind"] as String?) == "video",
            startedAt: Date(millisecondsSince1970: row["started_at"] ?? 0),
            answeredAt: answered.map(Date.init(millisecondsSince1970:)), endedAt: ended.map(Date.init(millisecondsSince1970:)),
            outcome: (row["outcome"] as String?).flatMap(CallRecord.Outcome.init(rawValue:)), endReason: row["end_reason"])
    }
}
