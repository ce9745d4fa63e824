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

    /// Adds a contact. Fails without change if the name or the ID is taken.
    @discardableResult
    public func add(id: ContactID, name: String, addresses: [PeerAddress] = [],
                    trust: TrustState = .unverified, now: Date = Date()) throws(StoreError) -> Contact {
        try storeOperation {
            try writer.write { db in
                if let existing = try Row.fetchOne(db, sql: "SELECT name FROM contacts WHERE contact_id = ?",
                                                   arguments: [id.canonical]) {
                    throw StoreError.duplicateContact(id: id.grouped, existingName: existing["name"])
                }
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM contacts WHERE name = ?", arguments: [name]) == true {
                    throw StoreError.duplicateName(name)
                }
                try db.execute(
                    sql: "INSERT INTO contacts (contact_id, name, trust, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [id.canonical, name, trust.rawValue, now.millisecondsSince1970])
                let rowID = db.lastInsertedRowID
                for address in addresses {
                    try Self.upsertAddress(db, contact: rowID, address: address, source: .manual, now: now)
                }
                return try Self.contact(db, rowID: rowID)!
            }
        }
    }

    /// Every contact, by name.
    public func all() throws(StoreError) -> [Contact] {
        try storeOperation {
            try writer.read { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM contacts ORDER BY name COLLATE NOCASE")
                    .compactMap { try Self.contact(db, rowID: $0) }
            }
        }
    }

    /// The contact with this ID, if any.
    public func contact(for id: ContactID) throws(StoreError) -> Contact? {
        try storeOperation {
            try writer.read { db in
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM contacts WHERE contact_id = ?"), arguments: [id.canonical])
                    .flatMap { try Self.contact(db, rowID: $0) }
            }
        }
    }

    /// Finds a contact by name (any letter case) or by ID (any accepted spelling).
    public func resolve(_ reference: String) throws(StoreError) -> Contact {
        let byName = try storeOperation {
            try writer.read { db in
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM contacts WHERE name = ?"), arguments: [reference])
                    .flatMap { try Self.contact(db, rowID: $0) }
            }
        }
        if let byName { return byName }
        if let id = try? ContactID(parsing: reference), let byID = try contact(for: id) { return byID }
        throw .unknownContact(reference)
    }

    /// Gives a contact a new name.
    @discardableResult
    public func rename(_ reference: String, to newName: String) throws(StoreError) -> Contact {
        let contact = try resolve(reference)
        return try storeOperation {
            try writer.write { db in
                if let clash = try String.fetchOne(db, sql: "SELECT contact_id FROM contacts WHERE name = ?", arguments: [newName]),
                   clash != contact.id.canonical {
                    throw StoreError.duplicateName(newName)
                }
                try db.execute(sql: "UPDATE contacts SET name = ? WHERE contact_id = ?",
                               arguments: [newName, contact.id.canonical])
                return try Self.contact(db, id: contact.id)!
            }
        }
    }

    /// Removes a contact with its conversation, transfers and call log.
    @discardableResult
    public func remove(_ reference: String) throws(StoreError) -> Contact {
        let contact = try resolve(reference)
        try storeOperation {
            try writer.write { db in
                try db.execute(sql: "DELETE FROM contacts WHERE contact_id = ?", arguments: [contact.id.canonical])
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

    /// Records an address for a contact (a manual one stays manual).
    public func addAddress(_ address: PeerAddress, for id: ContactID, source: AddressSource,
                           now: Date = Date()) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                guard let rowID = try Int64.fetchOne(db, sql: "SELECT id FROM contacts WHERE contact_id = ?",
                                                     arguments: [id.canonical]) else {
                    throw StoreError.unknownContact(id.grouped)
                }
                try Self.upsertAddress(db, contact: rowID, address: address, source: source, now: now)
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
        let lastSeen: Int64? = row["last_seen"]
        return Contact(
            id: try ContactID(parsing: row["contact_id"]),
            name: row["name"],
            trust: TrustState(rawValue: row["trust"]) ?? .unverified,
            addresses: addresses,
            createdAt: Date(millisecondsSince1970: row["created_at"]),
            lastSeen: lastSeen.map(Date.init(millisecondsSince1970:)))
    }
}
