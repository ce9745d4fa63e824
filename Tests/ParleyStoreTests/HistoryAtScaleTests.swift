import Foundation
import GRDB
import ParleyCore
import Testing
@testable import ParleyStore

/// Search and history on a generated history: the queries walk an index
/// newest-first and stop at their limit (query plans, never timings), and
/// paging by key sees every message once while new ones arrive.
@Suite("History at scale")
struct HistoryAtScaleTests {
    let alice = ContactID(subjectPublicKeyInfo: Array("alice".utf8))
    let bob = ContactID(subjectPublicKeyInfo: Array("bob".utf8))

    /// `count` messages numbered 1…count in one INSERT … SELECT (the FTS
    /// triggers index them): every 10th with bob, the rest with alice;
    /// "hello there" in every 4th, "good morning" in the others, "zeppelin"
    /// in 1 of 1000, "mortal" in 1 of 5000. Returns the conversations' rows.
    func generate(_ database: ParleyDatabase, count: Int) throws -> (alice: Int64, bob: Int64) {
        try database.contacts.add(id: alice, name: "Alice")
        try database.contacts.add(id: bob, name: "Bob")
        return try database.writer.write { db in
            let a = try MessageRepository.conversation(db, for: alice), b = try MessageRepository.conversation(db, for: bob)
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO messages (uuid, conversation, direction, body, sent_at, state)
                SELECT printf('%08X-0000-4000-8000-%012X', i, i), CASE WHEN i % 10 = 0 THEN ? ELSE ? END,
                       CASE WHEN i % 2 = 1 THEN 'in' ELSE 'out' END,
                       CASE WHEN i % 4 = 0 THEN 'hello there, ' ELSE 'good morning, ' END || 'message ' || i
                       || CASE WHEN i % 1000 = 7 THEN ' zeppelin' ELSE '' END
                       || CASE WHEN i % 5000 = 3 THEN ' mortal' ELSE '' END,
                       1600000000000 + i * 1000, 'delivered'
                FROM n
                """, arguments: [count, b, a])
            return (a, b)
        }
    }

    func plan(_ database: ParleyDatabase, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
    }

    func number(_ message: Message) -> Int { Int(message.body.split(separator: " ")[3])! }

    @Test(.timeLimit(.minutes(1)))
    func searchAndHistoryWalkAnIndexNewestFirst() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        let (alice, bob) = try generate(database, count: 100_000)

        // The plans: the FTS table (or the conversation's index) first, no sorting.
        for text in ["zeppelin", "hello", "he", "hel", "hello there", "mortal", "x"] {
            let plan = try #require(SearchPlan(text))
            for (conversation, before) in [(false, false), (true, false), (false, true), (true, true)] {
                // With a conversation, it is in the full-text query: no filter after the join.
                var arguments: StatementArguments = [MessageRepository.ftsMatch(plan.match,
                                                                                  conversation: conversation ? bob : nil)]
                if before { arguments += [50_000] }
                arguments += [50]
                for highlighted in [false, true] {
                    let sql = MessageRepository.searchSQL(before: before, highlighted: highlighted)
                    #expect(!sql.contains("m.conversation ="))
                    let details = try self.plan(database, sql, arguments)
                    #expect(details.first?.hasPrefix("SCAN f VIRTUAL TABLE") == true, "\(text): \(details)")
                    #expect(!details.contains { $0.contains("TEMP B-TREE") }, "\(text): \(details)")
                }
            }
        }
        for before in [false, true] {
            let details = try plan(database, MessageRepository.historySQL(before: before),
                                   before ? [alice, 50_000, 50] : [alice, 50])
            #expect(details.first?.contains("INDEX messages_by_conversation") == true, "\(details)")
            #expect(!details.contains { $0.contains("TEMP B-TREE") }, "\(details)")
        }

        // And what they return: the newest matches, newest first.
        let messages = database.messages
        func numbers(_ hits: [MessageRepository.SearchHit]) -> [Int] { hits.map { number($0.message) } }
        let hello = Array(stride(from: 100_000, to: 0, by: -4))
        #expect(numbers(try messages.search("hello")) == Array(hello.prefix(50)))
        #expect(numbers(try messages.search("HEL")) == Array(hello.prefix(50)))
        #expect(numbers(try messages.search("hello there")) == Array(hello.prefix(50)))
        #expect(numbers(try messages.search("morn", limit: 3)) == [99_999, 99_998, 99_997])
        #expect(numbers(try messages.search("zeppelin", limit: 1000)) == Array(stride(from: 99_007, to: 0, by: -1000)))
        #expect(numbers(try messages.search("mortal", limit: 1000)) == Array(stride(from: 95_003, to: 0, by: -5000)))
        #expect(numbers(try messages.search("mort", limit: 5)) == [95_003, 90_003, 85_003, 80_003, 75_003])
        #expect(try messages.search("hello").first?.snippet.hasPrefix("[hello] there") == true)
        #expect(numbers(try messages.search("hello", contact: self.bob, limit: 3)) == [100_000, 99_980, 99_960])
        #expect(numbers(try messages.search("zeppelin", contact: self.bob)).isEmpty)
        #expect(numbers(try messages.search("mortal", contact: self.bob)).isEmpty)  // only in alice's
        #expect(numbers(try messages.search("mortal", contact: self.alice, limit: 3)) == [95_003, 90_003, 85_003])
        #expect(numbers(try messages.search("mort", contact: self.alice, limit: 2)) == [95_003, 90_003])
        #expect(numbers(try messages.search("he", contact: self.bob, limit: 2)) == [100_000, 99_980])
        // The conversation column matches only as the filter: "\(bob)" as a word is a body word.
        #expect(try messages.search("\(bob)").allSatisfy { $0.message.body.contains(" \(bob)") })
        #expect(try messages.search("hello", contact: self.bob, limit: 1).first?.snippet.hasPrefix("[hello] there") == true)
        let first = try messages.search("hello", limit: 50)
        let more = try messages.search("hello", before: first.last?.message.id, limit: 50)
        #expect(numbers(more) == Array(hello[50..<100]))
        let newest = try messages.history(with: self.alice, limit: 3)
        #expect(newest.map(number) == [99_997, 99_998, 99_999])
        #expect(try messages.history(with: self.alice, before: newest[0].id, limit: 2).map(number) == [99_995, 99_996])
        #expect(try messages.history(with: self.bob, from: newest[0].id, including: false, limit: 2).map(number)
                    == [100_000])
        #expect(throws: StoreError.self) { try messages.history(with: self.alice, before: UUID(), limit: 2) }
    }

    @Test(.timeLimit(.minutes(1)))
    func pagingByKeySeesEveryMessageOnceWhileNewOnesArrive() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        _ = try generate(database, count: 20_000)
        let messages = database.messages
        let stored = try messages.history(with: alice, limit: 1_000_000).map(\.id)
        let storedHello = try messages.search("hello", contact: alice, limit: 1_000_000).map(\.message.id)

        var seen: [UUID] = [], seenHello: [UUID] = []
        var before: UUID?, beforeHello: UUID?
        var arrived = 0
        repeat {
            let page = try messages.history(with: alice, before: before, limit: 700)
            let hits = try messages.search("hello", contact: alice, before: beforeHello, limit: 300)
            seen = page.map(\.id) + seen
            seenHello += hits.map(\.message.id)
            before = page.first?.id
            beforeHello = hits.last?.message.id ?? beforeHello
            // New messages, matching ones among them, arrive between pages.
            let incoming = (0..<7).map { MessageRepository.Incoming(from: alice, id: UUID(), sentAt: Date(),
                                                                    body: "hello again \(arrived + $0)") }
            arrived += try messages.storeIncoming(incoming).count
            _ = try messages.enqueueOutgoing(to: alice, body: "hello from here")
        } while before != nil
        #expect(arrived > 0)
        #expect(seen == stored)
        #expect(Set(seen).count == seen.count)
        #expect(seenHello == storedHello)
        #expect(Set(seenHello).count == seenHello.count)
    }

    @Test func messagesStoredBeforeThePrefixIndexesAreFound() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let pool = try DatabasePool(path: temporary.path)
        try SchemaMigrations.migrator.migrate(pool, upTo: "0005_request_limits")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO contacts (contact_id, name, created_at) VALUES (?, 'Alice', 0)",
                           arguments: [alice.canonical])
            try db.execute(sql: "INSERT INTO conversations (contact, created_at) VALUES (1, 0)")
            try db.execute(sql: """
                INSERT INTO messages (uuid, conversation, direction, body, sent_at, state)
                VALUES (?, 1, 'in', 'Landing at the Héliport soon', 0, 'delivered')
                """, arguments: [UUID().uuidString])
        }
        try pool.close()
        let messages = try temporary.open().messages
        #expect(try messages.search("heli").map(\.snippet) == ["Landing at the [Héliport] soon"])
        #expect(try messages.search("hé").count == 1)
        #expect(try messages.search("helicopter").isEmpty)
        #expect(try messages.search("l").isEmpty)  // one character: a whole word
    }

    @Test func messagesStoredBeforeTheConversationColumnAreFoundWithTheFilter() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let pool = try DatabasePool(path: temporary.path)
        try SchemaMigrations.migrator.migrate(pool, upTo: "0006_search_prefixes")
        try pool.write { db in
            for (index, (id, name)) in [(alice, "Alice"), (bob, "Bob")].enumerated() {
                try db.execute(sql: "INSERT INTO contacts (contact_id, name, created_at) VALUES (?, ?, 0)",
                               arguments: [id.canonical, name])
                try db.execute(sql: "INSERT INTO conversations (contact, created_at) VALUES (?, 0)",
                               arguments: [index + 1])
            }
            for (conversation, body) in [(1, "Landing at the Héliport soon"), (2, "Heliport closed, 1 runway"),
                                         (1, "see you at 2")] {
                try db.execute(sql: """
                    INSERT INTO messages (uuid, conversation, direction, body, sent_at, state)
                    VALUES (?, ?, 'in', ?, 0, 'delivered')
                    """, arguments: [UUID().uuidString, conversation, body])
            }
        }
        try pool.close()
        let database = try temporary.open()
        let messages = database.messages
        #expect(try messages.search("heli", contact: alice).map(\.snippet) == ["Landing at the [Héliport] soon"])
        #expect(try messages.search("heliport", contact: bob).map(\.snippet) == ["[Heliport] closed, 1 runway"])
        #expect(try messages.search("heli").count == 2)
        #expect(try messages.search("2").map(\.snippet) == ["see you at [2]"])  // a body word, not conversation 2
        #expect(try messages.search("1", contact: alice).isEmpty)
        #expect(try messages.search("runway", contact: alice).isEmpty)
        // Kept in sync: new, edited and deleted messages.
        _ = try messages.enqueueOutgoing(to: bob, body: "heliport again")
        #expect(try messages.search("heli", contact: bob).map(\.snippet) == ["[heliport] again", "[Heliport] closed, 1 runway"])
        try database.writer.write { db in
            try db.execute(sql: "UPDATE messages SET conversation = 1 WHERE body = 'heliport again'")
            try db.execute(sql: "DELETE FROM messages WHERE body LIKE 'Landing%'")
        }
        #expect(try messages.search("heli", contact: alice).map(\.snippet) == ["[heliport] again"])
        #expect(try messages.search("heli", contact: bob).map(\.snippet) == ["[Heliport] closed, 1 runway"])
        try database.writer.write { db in  // the index against the messages
            try db.execute(sql: "INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
        }
    }
}
