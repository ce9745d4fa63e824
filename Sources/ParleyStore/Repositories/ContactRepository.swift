import Foundation
import GRDB
import ParleyCore

/// Contacts and their addresses.
public struct ContactRepository: Sendable {
    let writer: DatabasePool

    /// How an address was learnt.
    public enum AddressSource: String, Sendable {
        /// Given by the user; never forgotten automatically.
        case manual
        /// Seen on the peer's last incoming link.
        case learned
    }

    /// Adds a contact. Fails without change if the name or the ID is taken by a contact. An ID
    /// removed with its history kept comes back with that history (still verified if it was);
    /// a name held by a removed contact passes to the new one (see ``freeName``).
    @discardableResult
    public func add(id: ContactID, name: String, addresses: [PeerAddress] = [],
                    trust: TrustState = .unverified, now: Date = Date()) throws(StoreError) -> Contact {
        try storeOperation {
            try writer.write { db in
                let existing = try Row.fetchOne(db, sql: "SELECT id, name, trust, removed_at FROM contacts WHERE contact_id = ?",
                                                arguments: [id.canonical])
                if let existing, (existing["removed_at"] as Int64?) == nil {
                    throw StoreError.duplicateContact(id: id.grouped, existingName: existing["name"])
                }
                try Self.freeName(db, name, for: id)
                let rowID: Int64
                if let existing {
                    rowID = existing["id"]
                    let kept = TrustState(rawValue: existing["trust"]) == .verified ? TrustState.verified : trust
                    try db.execute(sql: "UPDATE contacts SET name = ?, trust = ?, removed_at = NULL WHERE id = ?",
                                   arguments: [name, kept.rawValue, rowID])
                } else {
                    try db.execute(
                        sql: "INSERT INTO contacts (contact_id, name, trust, created_at) VALUES (?, ?, ?, ?)",
                        arguments: [id.canonical, name, trust.rawValue, now.millisecondsSince1970])
                    rowID = db.lastInsertedRowID
                }
                for address in addresses {
                    try Self.upsertAddress(db, contact: rowID, address: address, source: .manual, now: now)
                }
                guard let contact = try Self.contact(db, rowID: rowID) else { throw StoreError.unknownContact(id.grouped) }
                return contact
            }
        }
    }

    /// Makes `name` free for `id`: a contact holding it is a clash; a contact removed with its
    /// history kept gives it up and is called `NAME (removed)` (or `NAME (removed 2)` …) from now on.
    static func freeName(_ db: Database, _ name: String, for id: ContactID) throws {
        guard let holder = try Row.fetchOne(db, sql: "SELECT id, contact_id, name, removed_at FROM contacts WHERE name = ?",
                                            arguments: [name]),
              (holder["contact_id"] as String) != id.canonical else { return }
        guard (holder["removed_at"] as Int64?) != nil else { throw StoreError.duplicateName(name) }
        let heldName: String = holder["name"]
        var number = 1
        var renamed = "\(heldName) (removed)"
        while try Bool.fetchOne(db, sql: "SELECT 1 FROM contacts WHERE name = ?", arguments: [renamed]) == true {
            number += 1
            renamed = "\(heldName) (removed \(number))"
        }
        try db.execute(sql: "UPDATE contacts SET name = ? WHERE id = ?", arguments: [renamed, holder["id"] as Int64])
    }

    /// Every contact, by name; those removed with their history kept only when asked for.
    public func all(includingRemoved: Bool = false) throws(StoreError) -> [Contact] {
        try storeOperation {
            try writer.read { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM contacts\(includingRemoved ? "" : " WHERE removed_at IS NULL") ORDER BY name COLLATE NOCASE")
                    .compactMap { try Self.contact(db, rowID: $0) }
            }
        }
    }

    /// The contact with this ID, if any; one removed with its history kept only when asked for.
    public func contact(for id: ContactID, includingRemoved: Bool = false) throws(StoreError) -> Contact? {
        try storeOperation {
            try writer.read { db in
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM contacts WHERE contact_id = ?\(Self.activeOnly(!includingRemoved))"),
                                   arguments: [id.canonical])
                    .flatMap { try Self.contact(db, rowID: $0) }
            }
        }
    }

    /// Finds a contact by name (any letter case) or by ID (any accepted spelling); a contact
    /// removed with its history kept only when asked for (to read that history).
    public func resolve(_ reference: String, includingRemoved: Bool = false) throws(StoreError) -> Contact {
        let byName = try storeOperation {
            try writer.read { db in
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM contacts WHERE name = ?\(Self.activeOnly(!includingRemoved))"),
                                   arguments: [reference])
                    .flatMap { try Self.contact(db, rowID: $0) }
            }
        }
        if let byName { return byName }
        if let id = try? ContactID(parsing: reference),
           let byID = try contact(for: id, includingRemoved: includingRemoved) { return byID }
        throw .unknownContact(reference)
    }

    private static func activeOnly(_ active: Bool) -> String { active ? " AND removed_at IS NULL" : "" }

    /// Gives a contact a new name.
    @discardableResult
    public func rename(_ reference: String, to newName: String) throws(StoreError) -> Contact {
        let contact = try resolve(reference)
        return try storeOperation {
            try writer.write { db in
                try Self.freeName(db, newName, for: contact.id)
                try db.execute(sql: "UPDATE contacts SET name = ? WHERE contact_id = ?",
                               arguments: [newName, contact.id.canonical])
                return try Self.contact(db, id: contact.id)!
            }
        }
    }

    /// Removes a contact with its conversation, transfers and call log; with `keepingHistory`
    /// the row stays, marked removed, so that history can still be read and searched.
    @discardableResult
    public func remove(_ reference: String, keepingHistory: Bool = false, now: Date = Date()) throws(StoreError) -> Contact {
        let contact = try resolve(reference)
        try storeOperation {
            try writer.write { db in
                if keepingHistory {
                    try db.execute(sql: "UPDATE contacts SET removed_at = ? WHERE contact_id = ?",
                                   arguments: [now.millisecondsSince1970, contact.id.canonical])
                } else {
                    try db.execute(sql: "DELETE FROM contacts WHERE contact_id = ?", arguments: [contact.id.canonical])
                }
            }
        }
        return contact
    }

    /// Sets how far a contact is trusted.
    @discardableResult
    public func setTrust(_ reference: String, to trust: TrustState) throws(StoreError) -> Contact {
        let contact = try resolve(reference)
        return try storeOperation {
            try writer.write { db in
                try db.execute(sql: "UPDATE contacts SET trust = ? WHERE contact_id = ?",
                               arguments: [trust.rawValue, contact.id.canonical])
                return try Self.contact(db, id: contact.id)!
            }
        }
    }

    /// Records an address for a contact (a manual one stays manual). With `keepingLearned`,
    /// only that many learned addresses of the contact are kept, the most recently seen.
    public func addAddress(_ address: PeerAddress, for id: ContactID, source: AddressSource,
                           keepingLearned limit: Int? = nil, now: Date = Date()) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                guard let rowID = try Int64.fetchOne(db, sql: "SELECT id FROM contacts WHERE contact_id = ?",
                                                     arguments: [id.canonical]) else {
                    throw StoreError.unknownContact(id.grouped)
                }
                try Self.upsertAddress(db, contact: rowID, address: address, source: source, now: now)
                if let limit {
                    try db.execute(sql: """
                        DELETE FROM contact_addresses WHERE contact = ? AND source = 'learned' AND address NOT IN (
                            SELECT address FROM contact_addresses WHERE contact = ? AND source = 'learned'
                            ORDER BY updated_at DESC, address LIMIT ?)
                        """, arguments: [rowID, rowID, max(limit, 0)])
                }
            }
        }
    }

    /// Forgets one of a contact's addresses; false when the contact did not have it.
    @discardableResult
    public func removeAddress(_ address: PeerAddress, for id: ContactID) throws(StoreError) -> Bool {
        try storeOperation {
            try writer.write { db in
                guard let rowID = try Int64.fetchOne(db, sql: "SELECT id FROM contacts WHERE contact_id = ?",
                                                     arguments: [id.canonical]) else {
                    throw StoreError.unknownContact(id.grouped)
                }
                try db.execute(sql: "DELETE FROM contact_addresses WHERE contact = ? AND address = ?",
                               arguments: [rowID, address.description])
                return db.changesCount > 0
            }
        }
    }

    /// Notes when a contact was last online.
    public func markSeen(_ id: ContactID, at date: Date = Date()) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: "UPDATE contacts SET last_seen = ? WHERE contact_id = ?",
                               arguments: [date.millisecondsSince1970, id.canonical])
            }
        }
    }

    /// Per-contact file rules: auto-accept offers up to this size; refuse offers above that one.
    public struct FileRules: Sendable, Equatable {
        public var autoAcceptMaxBytes: UInt64?
        public var maxBytes: UInt64?

        public init(autoAcceptMaxBytes: UInt64? = nil, maxBytes: UInt64? = nil) {
            self.autoAcceptMaxBytes = autoAcceptMaxBytes
            self.maxBytes = maxBytes
        }
    }

    public func fileRules(for id: ContactID) throws(StoreError) -> FileRules {
        try storeOperation {
            try writer.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT auto_accept_max_bytes, max_file_bytes FROM contacts WHERE contact_id = ?",
                                           arguments: [id.canonical])
                let auto: Int64? = row?["auto_accept_max_bytes"], limit: Int64? = row?["max_file_bytes"]
                return FileRules(autoAcceptMaxBytes: auto.map { UInt64(max(0, $0)) }, maxBytes: limit.map { UInt64(max(0, $0)) })
            }
        }
    }

    public func setFileRules(_ rules: FileRules, for reference: String) throws(StoreError) {
        let contact = try resolve(reference)
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: "UPDATE contacts SET auto_accept_max_bytes = ?, max_file_bytes = ? WHERE contact_id = ?",
                               arguments: [rules.autoAcceptMaxBytes.map { Int64(clamping: $0) },
                                           rules.maxBytes.map { Int64(clamping: $0) }, contact.id.canonical])
            }
        }
    }

    // MARK: Row mapping

    static func upsertAddress(_ db: Database, contact: Int64, address: PeerAddress, source: AddressSource,
                              now: Date) throws {
        try db.execute(sql: """
            INSERT INTO contact_addresses (contact, address, source, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (contact, address) DO UPDATE SET
                updated_at = excluded.updated_at,
                source = CASE WHEN source = 'manual' THEN 'manual' ELSE excluded.source END
            """, arguments: [contact, address.description, source.rawValue, now.millisecondsSince1970])
    }

    static func contact(_ db: Database, id: ContactID) throws -> Contact? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM contacts WHERE contact_id = ?"), arguments: [id.canonical])
            .flatMap { try contact(db, rowID: $0) }
    }

    static func contact(_ db: Database, rowID: Int64) throws -> Contact? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM contacts WHERE id = ?"), arguments: [rowID]) else {
            return nil
        }
        let addresses = try String.fetchAll(db.cachedStatement(sql: """
            SELECT address FROM contact_addresses WHERE contact = ?
            ORDER BY source = 'manual' DESC, updated_at DESC
            """), arguments: [rowID]).compactMap { try? PeerAddress(parsing: $0) }
        let lastSeen: Int64? = row["last_seen"], removedAt: Int64? = row["removed_at"]
        return Contact(
            id: try ContactID(parsing: row["contact_id"]),
            name: row["name"],
            trust: TrustState(rawValue: row["trust"]) ?? .unverified,
            addresses: addresses,
            createdAt: Date(millisecondsSince1970: row["created_at"]),
            lastSeen: lastSeen.map(Date.init(millisecondsSince1970:)),
            removedAt: removedAt.map(Date.init(millisecondsSince1970:)))
    }
}
