import Foundation
import ParleyCore
import Testing
@testable import ParleyStore

@Suite("Contact repository")
struct ContactRepositoryTests {
    let alice = ContactID(subjectPublicKeyInfo: Array("alice".utf8))
    let bob = ContactID(subjectPublicKeyInfo: Array("bob".utf8))

    @Test func addResolveRenameBlockRemove() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let contacts = try temporary.open().contacts
        try contacts.add(id: alice, name: "Alice", addresses: [PeerAddress(host: "127.0.0.1", port: 4000)])
        #expect(try contacts.resolve("alice").id == alice)
        #expect(try contacts.resolve(alice.canonical.lowercased()).name == "Alice")
        #expect(try contacts.resolve("Alice").addresses == [PeerAddress(host: "127.0.0.1", port: 4000)])

        try contacts.rename("Alice", to: "Ally")
        #expect(try contacts.resolve("ally").id == alice)
        #expect(try contacts.setTrust("Ally", to: .blocked).trust == .blocked)
        try contacts.remove("Ally")
        #expect(try contacts.all().isEmpty)
        #expect(throws: StoreError.unknownContact("Ally")) { try contacts.resolve("Ally") }
    }

    @Test func duplicatesAreRefusedWithoutChange() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let contacts = try temporary.open().contacts
        try contacts.add(id: alice, name: "Alice")
        try contacts.add(id: bob, name: "Bob")
        #expect(throws: StoreError.duplicateName("ALICE")) { try contacts.add(id: ContactID(subjectPublicKeyInfo: [7]), name: "ALICE") }
        #expect(throws: StoreError.duplicateContact(id: alice.grouped, existingName: "Alice")) {
            try contacts.add(id: alice, name: "Other")
        }
        #expect(throws: StoreError.duplicateName("Bob")) { try contacts.rename("Alice", to: "Bob") }
        #expect(try contacts.all().map(\.name) == ["Alice", "Bob"])
    }

    @Test func learnedAddressesComeAfterManualOnes() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let contacts = try temporary.open().contacts
        let manual = PeerAddress(host: "a.example", port: 1)
        let learned = PeerAddress(host: "10.0.0.2", port: 2)
        try contacts.add(id: alice, name: "Alice", addresses: [manual])
        try contacts.addAddress(learned, for: alice, source: .learned)
        try contacts.addAddress(manual, for: alice, source: .learned)  // stays manual
        #expect(try contacts.resolve("Alice").addresses == [manual, learned])
    }

    /// What contacts tell us (EXTERNAL_ADDRESS) is kept to the newest few; manual addresses never go.
    @Test func learnedAddressesCanBeCapped() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let contacts = try temporary.open().contacts
        let manual = PeerAddress(host: "a.example", port: 1)
        try contacts.add(id: alice, name: "Alice", addresses: [manual])
        let start = Date()
        for index in 1...5 {
            try contacts.addAddress(PeerAddress(host: "198.51.100.\(index)", port: 29172), for: alice, source: .learned,
                                    keepingLearned: 3, now: start.addingTimeInterval(Double(index)))
        }
        #expect(try contacts.resolve("Alice").addresses
            == [manual] + [5, 4, 3].map { PeerAddress(host: "198.51.100.\($0)", port: 29172) })
    }

    @Test(.timeLimit(.minutes(1)))
    func removingWithTheHistoryKeptHidesTheContactButNotItsConversation() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        let contacts = database.contacts
        try contacts.add(id: alice, name: "Alice")
        try contacts.add(id: bob, name: "Bob")
        try contacts.setTrust("Bob", to: .verified)
        let said = try database.messages.enqueueOutgoing(to: bob, body: "see you")
        try database.transfers.insert(Transfer(contactID: bob, direction: .outgoing, fileName: "a.txt", localPath: "/a.txt",
                                               size: 1, sha256: "00", state: .completed))

        try contacts.remove("Bob", keepingHistory: true)
        #expect(try contacts.all().map(\.name) == ["Alice"])
        #expect(try contacts.contact(for: bob) == nil)
        #expect(throws: StoreError.unknownContact("Bob")) { try contacts.resolve("Bob") }
        let kept = try contacts.resolve("bob", includingRemoved: true)
        #expect(kept.id == bob && kept.removedAt != nil)
        #expect(try contacts.resolve(bob.grouped, includingRemoved: true).name == "Bob")
        #expect(try database.messages.history(with: bob).map(\.id) == [said.id])
        #expect(try database.transfers.between(.distantPast, .distantFuture, with: bob).count == 1)
        #expect(try database.messages.search("see", contact: nil).map(\.contactName) == ["Bob"])

        // Adding the ID again brings the contact back, with its history and its verification.
        let back = try contacts.add(id: bob, name: "Bobby")
        #expect(back.name == "Bobby" && back.trust == .verified && back.removedAt == nil)
        #expect(try contacts.all().map(\.name) == ["Alice", "Bobby"])
        #expect(try database.messages.history(with: bob).map(\.id) == [said.id])
    }

    @Test(.timeLimit(.minutes(1)))
    func aRemovedContactsNameGoesToANewContact() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let contacts = try temporary.open().contacts
        let newBob = ContactID(subjectPublicKeyInfo: Array("new bob".utf8))
        try contacts.add(id: bob, name: "Bob")
        try contacts.remove("Bob", keepingHistory: true)
        try contacts.add(id: newBob, name: "bob")
        #expect(try contacts.resolve("Bob").id == newBob)
        #expect(try contacts.resolve("Bob (removed)", includingRemoved: true).id == bob)
        // A second time, the old name is taken by the first removed contact.
        try contacts.remove("bob", keepingHistory: true)
        try contacts.add(id: alice, name: "Bob")
        #expect(try contacts.resolve("Bob (removed 2)", includingRemoved: true).id == newBob)
        #expect(try contacts.all().map(\.name) == ["Bob"])
        // Removing without keeping still deletes the row.
        try contacts.remove("Bob")
        #expect(try contacts.contact(for: alice, includingRemoved: true) == nil)
    }
}
