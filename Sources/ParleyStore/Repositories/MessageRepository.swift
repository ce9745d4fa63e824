import Foundation
import GRDB
import ParleyCore

/// Conversations' messages, their delivery states and full-text search.
public struct MessageRepository: Sendable {
    let writer: DatabasePool

    /// A message received from a peer, before it is stored.
    public struct Incoming: Sendable {
        public var from: ContactID
        public var id: UUID
        public var sentAt: Date
        public var body: String

        public init(from: ContactID, id: UUID, sentAt: Date, body: String) {
            self.from = from
            self.id = id
            self.sentAt = sentAt
            self.body = body
        }
    }

    /// A search result: the message and a snippet with the matches marked.
    public struct SearchHit: Sendable, Hashable {
        public var message: Message
        public var contactName: String
        /// The body around the match, matches wrapped in `[` `]`.
        public var snippet: String
    }

    /// Stores an outgoing message as `queued`: it is safe before any byte is sent.
    @discardableResult
    public func enqueueOutgoing(to id: ContactID, body: String, now: Date = Date()) throws(StoreError) -> Message {
        try enqueueOutgoing(to: id, bodies: [body], now: now)[0]
    }

    /// Stores several outgoing messages, in order, in one transaction.
    @discardableResult
    public func enqueueOutgoing(to id: ContactID, bodies: [String], now: Date = Date()) throws(StoreError) -> [Message] {
        let messages = bodies.map { Message(contactID: id, direction: .outgoing, body: $0, sentAt: now, state: .queued) }
        try storeOperation {
            try writer.write { db in
                let conversation = try Self.conversation(db, for: id)
                for message in messages {
                    try Self.insert(db, message, conversation: conversation)
                }
            }
        }
        return messages
    }

    /// Stores incoming messages in one transaction, in the given order, and
    /// returns those that were new (a UUID already stored is a re-send: skipped).
    public func storeIncoming(_ batch: [Incoming], now: Date = Date()) throws(StoreError) -> [Message] {
        guard !batch.isEmpty else { return [] }
        return try storeOperation {
            try writer.write { db in
                var conversations: [ContactID: Int64] = [:]
                var stored: [Message] = []
                for incoming in batch {
                    let conversation = try conversations[incoming.from] ?? Self.conversation(db, for: incoming.from)
                    conversations[incoming.from] = conversation
                    let message = Message(id: incoming.id, contactID: incoming.from, direction: .incoming,
                                          body: incoming.body, sentAt: incoming.sentAt, receivedAt: now,
                                          state: .delivered)
                    if try Self.insert(db, message, conversation: conversation, ignoringDuplicate: true) {
                        stored.append(message)
                    }
                }
                return stored
            }
        }
    }

    /// Outgoing messages to `id` not yet delivered, oldest first, with their
    /// local sequence numbers: what to (re)send on a link. `after` skips those
    /// already sent on the current link.
    public func undelivered(to id: ContactID, after sequence: Int64 = 0,
                            limit: Int = 10_000) throws(StoreError) -> [(sequence: Int64, message: Message)] {
        try storeOperation {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT m.id AS sequence, \(Self.columns) FROM messages m
                    JOIN conversations v ON v.id = m.conversation JOIN contacts c ON c.id = v.contact
                    WHERE c.contact_id = ? AND m.direction = 'out' AND m.state IN ('queued', 'sent') AND m.id > ?
                    ORDER BY m.id LIMIT ?
                    """, arguments: [id.canonical, sequence, limit]).compactMap { row in
                    Self.message(row, contact: id).map { (sequence: row["sequence"], message: $0) }
                }
            }
        }
    }

    /// Moves outgoing messages forward to `state` (sent, delivered or read); never backwards.
    /// Returns the IDs that changed.
    @discardableResult
    public func advance(_ ids: [UUID], to state: MessageState, for contact: ContactID? = nil,
                        at date: Date = Date()) throws(StoreError) -> [UUID] {
        guard !ids.isEmpty else { return [] }
        let earlier = MessageState.allCases.filter { $0.precedes(state) }.map(\.rawValue)
        return try storeOperation {
            try writer.write { db in
                var changed: [UUID] = []
                for chunk in ids.chunks(ofCount: 500) {
                    let uuidList = chunk.map { _ in "?" }.joined(separator: ",")
                    let stateList = earlier.map { _ in "?" }.joined(separator: ",")
                    var arguments: StatementArguments = [state.rawValue]
                    let timeColumn = state == .read ? "read_at" : "received_at"
                    let setTime = state == .sent ? "" : ", \(timeColumn) = COALESCE(\(timeColumn), ?)"
                    if state != .sent { arguments += [date.millisecondsSince1970] }
                    arguments += StatementArguments(chunk.map(\.uuidString))
                    arguments += StatementArguments(earlier)
                    var onlyContact = ""
                    if let contact {
                        onlyContact = """
                             AND conversation = (SELECT v.id FROM conversations v JOIN contacts c ON c.id = v.contact
                                                 WHERE c.contact_id = ?)
                            """
                        arguments += [contact.canonical]
                    }
                    let updated = try String.fetchAll(db, sql: """
                        UPDATE messages SET state = ?\(setTime)
                        WHERE uuid IN (\(uuidList)) AND direction = 'out' AND state IN (\(stateList))\(onlyContact)
                        RETURNING uuid
                        """, arguments: arguments)
                    changed += updated.compactMap(UUID.init(uuidString:))
                }
                return changed
            }
        }
    }

    /// Marks every unread incoming message from `id` as read; returns their IDs,
    /// for the read receipts.
    @discardableResult
    public func markIncomingRead(from id: ContactID, at date: Date = Date()) throws(StoreError) -> [UUID] {
        try storeOperation {
            try writer.write { db in
                try String.fetchAll(db, sql: """
                    UPDATE messages SET state = 'read', read_at = ?, read_receipt_pending = 1
                    WHERE direction = 'in' AND state = 'delivered' AND conversation =
                        (SELECT v.id FROM conversations v JOIN contacts c ON c.id = v.contact WHERE c.contact_id = ?)
                    RETURNING uuid
                    """, arguments: [date.millisecondsSince1970, id.canonical]).compactMap(UUID.init(uuidString:))
            }
        }
    }

    /// Incoming messages from `id` read here whose read receipt has not been sent yet.
    public func pendingReadReceipts(from id: ContactID) throws(StoreError) -> [UUID] {
        try storeOperation {
            try writer.read { db in
                try String.fetchAll(db, sql: """
                    SELECT m.uuid FROM messages m
                    WHERE m.read_receipt_pending = 1 AND m.conversation =
                        (SELECT v.id FROM conversations v JOIN contacts c ON c.id = v.contact WHERE c.contact_id = ?)
                    ORDER BY m.id
                    """, arguments: [id.canonical]).compactMap(UUID.init(uuidString:))
            }
        }
    }

    /// Notes that the read receipts for `ids` went out.
    public func readReceiptsSent(_ ids: [UUID]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try storeOperation {
            try writer.write { db in
                for chunk in ids.chunks(ofCount: 500) {
                    let list = chunk.map { _ in "?" }.joined(separator: ",")
                    try db.execute(sql: "UPDATE messages SET read_receipt_pending = 0 WHERE uuid IN (\(list))",
                                   arguments: StatementArguments(chunk.map(\.uuidString)))
                }
            }
        }
    }

    /// The last `limit` messages with a contact, oldest first.
    public func history(with id: ContactID, limit: Int = 50) throws(StoreError) -> [Message] {
        try fetch("WHERE c.contact_id = ? ORDER BY m.id DESC LIMIT ?", [id.canonical, max(1, limit)]).reversed()
    }

    /// Number of incoming messages not yet read, per contact.
    public func unreadCounts() throws(StoreError) -> [ContactID: Int] {
        try storeOperation {
            try writer.read { db in
                var counts: [ContactID: Int] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT c.contact_id, count(*) AS n FROM messages m
                    JOIN conversations v ON v.id = m.conversation JOIN contacts c ON c.id = v.contact
                    WHERE m.direction = 'in' AND m.state = 'delivered' GROUP BY c.contact_id
                    """) {
                    if let id = try? ContactID(parsing: row["contact_id"]) { counts[id] = row["n"] }
                }
                return counts
            }
        }
    }

    /// The message with this ID, if stored.
    public func message(_ id: UUID) throws(StoreError) -> Message? {
        try fetch("WHERE m.uuid = ?", [id.uuidString]).first
    }

    /// Full-text search over all conversations, newest matches first.
    /// Every word of `query` must appear (prefix match on the last word).
    public func search(_ query: String, limit: Int = 50) throws(StoreError) -> [SearchHit] {
        guard let match = Self.ftsQuery(for: query) else { return [] }
        return try storeOperation {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT \(Self.columns), c.name AS contact_name,
                           snippet(messages_fts, 0, '[', ']', '…', 12) AS snippet
                    FROM messages_fts f
                    JOIN messages m ON m.id = f.rowid
                    JOIN conversations v ON v.id = m.conversation
                    JOIN contacts c ON c.id = v.contact
                    WHERE messages_fts MATCH ?
                    ORDER BY m.id DESC LIMIT ?
                    """, arguments: [match, max(1, limit)]).compactMap { row in
                    guard let message = Self.message(row) else { return nil }
                    return SearchHit(message: message, contactName: row["contact_name"], snippet: row["snippet"])
                }
            }
        }
    }

    /// Turns what a person typed into an FTS5 query that cannot be a syntax error:
    /// each word quoted, the last one a prefix.
    static func ftsQuery(for text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isPunctuation && $0 != "'" })
        guard !words.isEmpty else { return nil }
        return words.enumerated().map { index, word in
            let quoted = "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return index == words.count - 1 ? quoted + " *" : quoted
        }.joined(separator: " ")
    }

    // MARK: Rows

    static let columns = """
        m.uuid, m.direction, m.body, m.sent_at, m.received_at, m.read_at, m.state, c.contact_id
        """

    private func fetch(_ clause: String, _ arguments: StatementArguments) throws(StoreError) -> [Message] {
        try storeOperation {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT \(Self.columns) FROM messages m
                    JOIN conversations v ON v.id = m.conversation JOIN contacts c ON c.id = v.contact
                    \(clause)
                    """, arguments: arguments).compactMap { Self.message($0) }
            }
        }
    }

    /// Maps a row; `contact` saves parsing the contact ID when the query is about one contact.
    static func message(_ row: Row, contact: ContactID? = nil) -> Message? {
        guard let uuid = UUID(uuidString: row["uuid"]),
              let contactID = contact ?? (try? ContactID(parsing: row["contact_id"])),
              let direction = MessageDirection(rawValue: row["direction"]),
              let state = MessageState(rawValue: row["state"]) else { return nil }
        let receivedAt: Int64? = row["received_at"]
        let readAt: Int64? = row["read_at"]
        return Message(id: uuid, contactID: contactID, direction: direction, body: row["body"],
                       sentAt: Date(millisecondsSince1970: row["sent_at"]),
                       receivedAt: receivedAt.map(Date.init(millisecondsSince1970:)),
                       readAt: readAt.map(Date.init(millisecondsSince1970:)), state: state)
    }

    static func conversation(_ db: Database, for id: ContactID) throws -> Int64 {
        guard let contact = try Int64.fetchOne(db, sql: "SELECT id FROM contacts WHERE contact_id = ?",
                                               arguments: [id.canonical]) else {
            throw StoreError.unknownContact(id.grouped)
        }
        if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM conversations WHERE contact = ?",
                                             arguments: [contact]) {
            return existing
        }
        try db.execute(sql: "INSERT INTO conversations (contact, created_at) VALUES (?, ?)",
                       arguments: [contact, Date().millisecondsSince1970])
        return db.lastInsertedRowID
    }

    /// Inserts a message; with `ignoringDuplicate`, returns false when its UUID is already stored.
    @discardableResult
    static func insert(_ db: Database, _ message: Message, conversation: Int64,
                       ignoringDuplicate: Bool = false) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO messages (uuid, conversation, direction, body, sent_at, received_at, read_at, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) \(ignoringDuplicate ? "ON CONFLICT (uuid) DO NOTHING" : "")
            """)
        try statement.execute(arguments: [message.id.uuidString, conversation, message.direction.rawValue, message.body,
                             message.sentAt.millisecondsSince1970, message.receivedAt?.millisecondsSince1970,
                             message.readAt?.millisecondsSince1970, message.state.rawValue])
        return db.changesCount > 0
    }
}
