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
}
