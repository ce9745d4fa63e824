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
                try Self.insert(db, messages.map { ($0, conversation) })
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
                var rows: [(Message, conversation: Int64)] = []
                rows.reserveCapacity(batch.count)
                for incoming in batch {
                    let conversation = try conversations[incoming.from] ?? Self.conversation(db, for: incoming.from)
                    conversations[incoming.from] = conversation
                    rows.append((Message(id: incoming.id, contactID: incoming.from, direction: .incoming,
                                         body: incoming.body, sentAt: incoming.sentAt, receivedAt: now,
                                         state: .delivered), conversation))
                }
                var inserted = try Self.insert(db, rows, ignoringDuplicates: true)
                // A UUID sent twice in one batch is stored (and reported) once.
                return rows.map(\.0).filter { inserted.remove($0.id) != nil }
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
                try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT m.id AS sequence, \(Self.columns) FROM messages m
                    JOIN conversations v ON v.id = m.conversation JOIN contacts c ON c.id = v.contact
                    WHERE c.contact_id = ? AND m.direction = 'out' AND m.state IN ('queued', 'sent') AND m.id > ?
                    ORDER BY m.id LIMIT ?
                    """), arguments: [id.canonical, sequence, limit]).compactMap { row in
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
        // The SQL depends only on the state and on whether a contact is given, so its prepared
        // statement is reused; the UUIDs travel as one JSON array and are looked up in their index.
        let earlier = MessageState.allCases.filter { $0.precedes(state) }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let timeColumn = state == .read ? "read_at" : "received_at"
        let setTime = state == .sent ? "" : ", \(timeColumn) = COALESCE(\(timeColumn), :time)"
        // `+state`, `+conversation`: rows are found through their UUIDs, never by walking an index of states or the conversation.
        let onlyContact = contact == nil ? "" : """
             AND +conversation = (SELECT v.id FROM conversations v JOIN contacts c ON c.id = v.contact
                                  WHERE c.contact_id = :contact)
            """
        let sql = """
            UPDATE messages SET state = :state\(setTime)
            WHERE uuid IN (SELECT value FROM json_each(:uuids)) AND direction = 'out' AND +state IN (\(earlier))\(onlyContact)
            RETURNING uuid
            """
        var arguments: [String: (any DatabaseValueConvertible)?] = [
            "state": state.rawValue, "uuids": "[" + ids.map { "\"\($0.canonicalText)\"" }.joined(separator: ",") + "]",
        ]
        if state != .sent { arguments["time"] = date.millisecondsSince1970 }
        if let contact { arguments["contact"] = contact.canonical }
        let named = StatementArguments(arguments)
        return try storeOperation {
            try writer.write { db in
                try String.fetchAll(db.cachedStatement(sql: sql), arguments: named).compactMap { UUID(canonicalText: $0) }
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
                    """, arguments: [date.millisecondsSince1970, id.canonical]).compactMap { UUID(canonicalText: $0) }
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
                    """, arguments: [id.canonical]).compactMap { UUID(canonicalText: $0) }
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
                                   arguments: StatementArguments(chunk.map(\.canonicalText)))
                }
            }
        }
    }

    /// A conversation's messages, oldest first, paged by key: the newest
    /// `limit` messages stored before the message `before` (every message
    /// when nil), so each page continues where the last one ended, however
    /// many messages arrive meanwhile. Walks the (conversation, id) index from
    /// the key: the cost does not grow with the history.
    public func history(with id: ContactID, before: UUID? = nil, limit: Int = 50) throws(StoreError) -> [Message] {
        try storeOperation {
            try writer.read { db in
                guard let conversation = try Self.existingConversation(db, for: id) else { return [] }
                let key = try before.map { uuid throws(StoreError) in try Self.row(db, of: uuid) }
                var arguments: StatementArguments = [conversation]
                if let key { arguments += [key] }
                arguments += [max(1, limit)]
                return try Row.fetchAll(db, sql: Self.historySQL(before: key != nil), arguments: arguments)
                    .compactMap { Self.message($0, contact: id) }.reversed()
            }
        }
    }

    /// A conversation's messages from the message `from` on (included, or
    /// only newer ones when `including` is false), oldest first, at most `limit`.
    /// What a view showing a window of the history reloads, and its next page down.
    public func history(with id: ContactID, from: UUID, including: Bool = true,
                        limit: Int = 50) throws(StoreError) -> [Message] {
        try storeOperation {
            try writer.read { db in
                guard let conversation = try Self.existingConversation(db, for: id) else { return [] }
                let key = try Self.row(db, of: from)
                return try Row.fetchAll(db, sql: """
                    SELECT \(Self.columns) FROM messages m
                    CROSS JOIN conversations v ON v.id = m.conversation CROSS JOIN contacts c ON c.id = v.contact
                    WHERE m.conversation = ? AND m.id \(including ? ">=" : ">") ?
                    ORDER BY m.id LIMIT ?
                    """, arguments: [conversation, key, max(1, limit)]).compactMap { Self.message($0, contact: id) }
            }
        }
    }

    /// The history query: newest first from the key, on `messages_by_conversation`.
    static func historySQL(before: Bool) -> String {
        """
        SELECT \(columns) FROM messages m
        CROSS JOIN conversations v ON v.id = m.conversation CROSS JOIN contacts c ON c.id = v.contact
        WHERE m.conversation = ?\(before ? " AND m.id < ?" : "")
        ORDER BY m.id DESC LIMIT ?
        """
    }

    static func existingConversation(_ db: Database, for id: ContactID) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT v.id FROM conversations v JOIN contacts c ON c.id = v.contact WHERE c.contact_id = ?
            """, arguments: [id.canonical])
    }

    /// The row of the message with this UUID: the key pages continue from.
    static func row(_ db: Database, of uuid: UUID) throws(StoreError) -> Int64 {
        let row = try storeOperation {
            try Int64.fetchOne(db, sql: "SELECT id FROM messages WHERE uuid = ?", arguments: [uuid.uuidString])
        }
        guard let row else { throw StoreError.unknownMessage(uuid.uuidString) }
        return row
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

    /// Full-text search, newest matches first: over every conversation, or
    /// the one with `contact`; `before` (the last hit of the previous page)
    /// continues after it. Every word of `query` must appear (prefix match
    /// on the last word; a one-character last word is a whole word).
    ///
    /// The query walks the full-text index newest-first (`ORDER BY rowid
    /// DESC` on the FTS table, which FTS5 delivers without sorting) and stops
    /// at the limit, so a word in every other message costs what a rare one
    /// does. Prefixes of 2 and 3 characters stream from FTS5's prefix indexes;
    /// a longer last word streams through its first 3 characters and each
    /// candidate is checked against the whole prefix (`SearchPlan`). When
    /// that check rejects most candidates (a rare word behind a common start),
    /// the rest of the page comes from FTS5's own prefix query, whose cost is
    /// then small.
    public func search(_ query: String, contact: ContactID? = nil, before: UUID? = nil,
                       limit: Int = 50) throws(StoreError) -> [SearchHit] {
        guard let plan = SearchPlan(query) else { return [] }
        let limit = max(1, limit)
        return try storeOperation {
            try writer.read { db in
                var conversation: Int64?
                if let contact {
                    guard let found = try Self.existingConversation(db, for: contact) else { return [] }
                    conversation = found
                }
                var cursor = try before.map { uuid throws(StoreError) in try Self.row(db, of: uuid) }
                guard let filter = plan.prefixFilter else {
                    return try Self.searchPage(db, match: plan.match, conversation: conversation,
                                               before: cursor, limit: limit).map { $0.hit }
                }
                // Candidates through the 3-character prefix, checked, within a budget.
                var hits: [SearchHit] = []
                var budget = max(2_000, limit * 40)
                let batch = max(100, min(limit * 2, 1_000))
                while hits.count < limit, budget > 0 {
                    let page = try Self.searchPage(db, match: plan.match, conversation: conversation,
                                                   before: cursor, limit: batch, highlighted: true)
                    for candidate in page {
                        if let hit = filter.check(candidate.hit, highlighted: candidate.highlighted ?? "") {
                            hits.append(hit)
                            if hits.count == limit { return hits }
                        }
                    }
                    guard page.count == batch, let last = page.last else { return hits }
                    cursor = last.row
                    budget -= page.count
                }
                // Few candidates match: FTS5's own prefix query for the rest.
                let rest = try Self.searchPage(db, match: plan.exactMatch, conversation: conversation,
                                               before: cursor, limit: limit - hits.count)
                return hits + rest.map { $0.hit }
            }
        }
    }

    /// The search query: the FTS table first (`CROSS JOIN` keeps it the outer
    /// loop), newest first by its rowid, no sorting. The conversation is part
    /// of the full-text query (`ftsMatch`), not a condition after the join.
    static func searchSQL(before: Bool, highlighted: Bool = false) -> String {
        """
        SELECT f.rowid AS row, \(columns), c.name AS contact_name,
               snippet(messages_fts, 0, '[', ']', '…', 12) AS snippet\(highlighted
            ? ", highlight(messages_fts, 0, char(1), char(2)) AS highlighted" : "")
        FROM messages_fts f
        CROSS JOIN messages m ON m.id = f.rowid
        CROSS JOIN conversations v ON v.id = m.conversation
        CROSS JOIN contacts c ON c.id = v.contact
        WHERE messages_fts MATCH ?\(before ? " AND f.rowid < ?" : "")
        ORDER BY f.rowid DESC LIMIT ?
        """
    }

    private static func searchPage(_ db: Database, match: String, conversation: Int64?, before: Int64?, limit: Int,
                                   highlighted: Bool = false) throws -> [(row: Int64, hit: SearchHit, highlighted: String?)] {
        var arguments: StatementArguments = [ftsMatch(match, conversation: conversation)]
        if let before { arguments += [before] }
        arguments += [limit]
        let sql = searchSQL(before: before != nil, highlighted: highlighted)
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            guard let message = Self.message(row) else { return nil }
            let rowID: Int64 = row["row"]
            let marked: String? = highlighted ? row["highlighted"] : nil
            return (row: rowID, hit: SearchHit(message: message, contactName: row["contact_name"],
                                               snippet: row["snippet"]), highlighted: marked)
        }
    }

    /// The full-text query for `match` (a `SearchPlan` query): its words in
    /// the body column only, and with `conversation`, only that conversation's
    /// messages: `conversation : "N"` (migration 0007) intersected with them
    /// by FTS5, which skips ahead in both lists, so other conversations'
    /// matches are not read.
    static func ftsMatch(_ match: String, conversation: Int64?) -> String {
        let words = "{body} : (\(match))"
        guard let conversation else { return words }
        return "conversation : \"\(conversation)\" AND \(words)"
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
        guard let text: String = row["uuid"], let uuid = UUID(canonicalText: text),
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
        guard let contact = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM contacts WHERE contact_id = ?"),
                                               arguments: [id.canonical]) else {
            throw StoreError.unknownContact(id.grouped)
        }
        if let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM conversations WHERE contact = ?"),
                                             arguments: [contact]) {
            return existing
        }
        try db.execute(sql: "INSERT INTO conversations (contact, created_at) VALUES (?, ?)",
                       arguments: [contact, Date().millisecondsSince1970])
        return db.lastInsertedRowID
    }

    /// Rows per INSERT statement. Each statement that writes the full-text index makes FTS5
    /// flush its pending terms (at the statement's savepoint), so a batch goes in as a few
    /// multi-row statements instead of one statement per row: about three times the rows per second.
    static let rowsPerInsert = 100

    /// Inserts messages in order (row IDs follow the order); with `ignoringDuplicates`, a UUID
    /// already stored is skipped. Returns the UUIDs inserted.
    @discardableResult
    static func insert(_ db: Database, _ rows: [(Message, conversation: Int64)],
                       ignoringDuplicates: Bool = false) throws -> Set<UUID> {
        var inserted = Set<UUID>(minimumCapacity: rows.count)
        for chunk in rows.chunks(ofCount: rowsPerInsert) {
            let sql = "INSERT INTO messages (uuid, conversation, direction, body, sent_at, received_at, read_at, state) VALUES "
                + repeatElement("(?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
                + (ignoringDuplicates ? " ON CONFLICT (uuid) DO NOTHING" : "") + " RETURNING uuid"
            // One prepared statement per chunk size, reused (preparing compiles the FTS5 triggers too).
            let statement = try db.cachedStatement(sql: sql)
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity(chunk.count * 8)
            for (message, conversation) in chunk {
                values += [message.id.canonicalText, conversation, message.direction.rawValue, message.body,
                           message.sentAt.millisecondsSince1970, message.receivedAt?.millisecondsSince1970,
                           message.readAt?.millisecondsSince1970, message.state.rawValue]
            }
            statement.arguments = StatementArguments(values)
            for uuid in try String.fetchAll(statement) {
                if let id = UUID(canonicalText: uuid) { inserted.insert(id) }
            }
        }
        return inserted
    }
}
