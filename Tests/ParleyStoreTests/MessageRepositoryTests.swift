import Foundation
import GRDB
import ParleyCore
import Testing
@testable import ParleyStore

@Suite("Message repository")
struct MessageRepositoryTests {
    let alice = ContactID(subjectPublicKeyInfo: Array("alice".utf8))

    func database(_ temporary: TemporaryDatabase) throws -> ParleyDatabase {
        let database = try temporary.open()
        try database.contacts.add(id: alice, name: "Alice")
        return database
    }

    @Test func incomingMessagesAreStoredOnceInOrder() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let messages = try database(temporary).messages
        let batch = (0..<5).map { MessageRepository.Incoming(from: alice, id: UUID(), sentAt: Date(), body: "m\($0)") }
        #expect(try messages.storeIncoming(batch).count == 5)
        #expect(try messages.storeIncoming(Array(batch[2...])).isEmpty)
        #expect(try messages.history(with: alice).map(\.body) == ["m0", "m1", "m2", "m3", "m4"])
        #expect(try messages.unreadCounts()[alice] == 5)
        #expect(try messages.markIncomingRead(from: alice).count == 5)
        #expect(try messages.unreadCounts()[alice] == nil)
    }

    @Test func outgoingStatesOnlyMoveForward() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let messages = try database(temporary).messages
        let message = try messages.enqueueOutgoing(to: alice, body: "hello")
        #expect(try messages.undelivered(to: alice).map(\.message.id) == [message.id])
        #expect(try messages.advance([message.id], to: .sent) == [message.id])
        #expect(try messages.advance([message.id], to: .read) == [message.id])
        #expect(try messages.advance([message.id], to: .delivered).isEmpty)
        #expect(try messages.message(message.id)?.state == .read)
        #expect(try messages.undelivered(to: alice).isEmpty)
    }

    @Test func fullTextSearchFollowsInsertsUpdatesAndDeletes() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try database(temporary)
        let messages = database.messages
        try messages.enqueueOutgoing(to: alice, body: "Let's meet at the café tomorrow")
        try messages.enqueueOutgoing(to: alice, body: "bring the blue notebook")
        #expect(try messages.search("cafe").map(\.message.body) == ["Let's meet at the café tomorrow"])
        #expect(try messages.search("NOTE").first?.snippet == "bring the blue [notebook]")
        #expect(try messages.search("\"unbalanced AND (").isEmpty)

        try database.writer.write { db in
            try db.execute(sql: "UPDATE messages SET body = 'red folder' WHERE body LIKE 'bring%'")
        }
        #expect(try messages.search("notebook").isEmpty)
        #expect(try messages.search("folder").count == 1)

        try database.contacts.remove("Alice")
        #expect(try messages.search("folder").isEmpty)
        #expect(try messages.search("café").isEmpty)
    }
}
