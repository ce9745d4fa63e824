import Foundation
import GRDB
import ParleyCore
import Testing
@testable import ParleyStore

@Suite("Transfer repository")
struct TransferRepositoryTests {
    let bob = ContactID(subjectPublicKeyInfo: Array("bob".utf8))

    func transfer(_ direction: MessageDirection, _ state: TransferState, path: String? = nil,
                  pause: TransferPauseReason? = nil, failure: TransferFailureReason? = nil) -> Transfer {
        Transfer(contactID: bob, direction: direction, fileName: "f.bin", localPath: path, size: 10,
                 sha256: String(repeating: "0", count: 64), state: state, pauseReason: pause, failureReason: failure)
    }

    @Test(.timeLimit(.minutes(1)))
    func pauseAndFailureReasonsAreStoredTyped() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        try database.contacts.add(id: bob, name: "Bob")
        var paused = transfer(.incoming, .paused, path: "/d/a", pause: .diskFull)
        try database.transfers.insert(paused)
        #expect(try database.transfers.transfer(paused.id)?.pauseReason == .diskFull)

        paused.state = .failed
        paused.pauseReason = nil
        paused.failureReason = .hashMismatch
        try database.transfers.update(paused)
        let stored = try #require(try database.transfers.transfer(paused.id))
        #expect(stored.state == .failed && stored.pauseReason == nil && stored.failureReason == .hashMismatch)
    }

    @Test(.timeLimit(.minutes(1)))
    func reservedPathsAreThoseOfUnfinishedDownloads() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        try database.contacts.add(id: bob, name: "Bob")
        try database.transfers.insert(transfer(.incoming, .accepted, path: "/d/accepted"))
        try database.transfers.insert(transfer(.incoming, .active, path: "/d/active"))
        try database.transfers.insert(transfer(.incoming, .paused, path: "/d/paused", pause: .byReceiver))
        try database.transfers.insert(transfer(.incoming, .completed, path: "/d/completed"))
        try database.transfers.insert(transfer(.incoming, .failed, path: "/d/failed", failure: .writeFailed))
        try database.transfers.insert(transfer(.outgoing, .active, path: "/home/source"))
        try database.transfers.insert(transfer(.incoming, .offered))
        #expect(try database.transfers.reservedDownloadPaths() == ["/d/accepted", "/d/active", "/d/paused"])
    }

    @Test(.timeLimit(.minutes(1)))
    func sentBytesAreRecordedOnlyWhileActiveAndProgressNeverMovesBack() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        try database.contacts.add(id: bob, name: "Bob")
        let active = transfer(.outgoing, .active, path: "/home/source")
        try database.transfers.insert(active)
        try database.transfers.recordSent(active.id, sent: 8, acknowledged: 6)
        try database.transfers.recordSent(active.id, sent: 9, acknowledged: 4)
        let stored = try #require(try database.transfers.transfer(active.id))
        #expect(stored.bytesSent == 9 && stored.bytesDone == 6)

        let paused = transfer(.outgoing, .paused, path: "/home/source", pause: .bySender)
        try database.transfers.insert(paused)
        try database.transfers.recordSent(paused.id, sent: 5, acknowledged: 5)
        #expect(try database.transfers.transfer(paused.id)?.bytesSent == 0)
    }

    /// Rows written before migration 0009 get their typed reasons from the words they stored.
    @Test(.timeLimit(.minutes(1)))
    func migrationTypesTheReasonsOfOlderRows() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let rows: [(direction: String, state: String, error: String?)] = [
            ("out", "paused", "paused by the sender"),
            ("out", "paused", "paused by the receiver"),
            ("in", "paused", nil),
            ("in", "paused", "the disk is full while writing /d/x.part; what was received is kept"),
            ("in", "failed", "the disk is full while writing /d/y.part; what was received is kept"),
            ("in", "failed", "the received data does not match the offered SHA-256; the part file /d/z.part is kept"),
            ("out", "failed", "/home/a.bin changed after it was offered; send it again to offer the new version"),
            ("out", "failed", "the receiver could not verify the file: SHA-256 mismatch"),
            ("out", "failed", "cannot read /home/b.bin (the file is gone)"),
            ("in", "failed", "cannot write /d/c.part (Permission denied); check the folder's permissions"),
            ("in", "failed", "something else"),
            ("in", "active", nil),
        ]
        var ids: [UUID] = []
        do {
            let pool = try DatabasePool(path: temporary.path)
            try SchemaMigrations.migrator.migrate(pool, upTo: "0008_call_alive")
            try pool.write { db in
                try db.execute(sql: "INSERT INTO contacts (contact_id, name, created_at) VALUES (?, 'Bob', 0)",
                               arguments: [bob.canonical])
                for row in rows {
                    let id = UUID()
                    ids.append(id)
                    try db.execute(sql: """
                        INSERT INTO transfers (uuid, contact, direction, file_name, size, sha256, state, error,
                                               created_at, updated_at)
                        VALUES (?, 1, ?, 'f', 10, '00', ?, ?, 0, 0)
                        """, arguments: [id.uuidString, row.direction, row.state, row.error])
                }
            }
            try pool.close()
        }
        let database = try temporary.open()
        let stored = try ids.map { try #require(try database.transfers.transfer($0)) }
        let expected: [(TransferState, TransferPauseReason?, TransferFailureReason?)] = [
            (.paused, .bySender, nil),
            (.paused, .byReceiver, nil),
            (.paused, .byReceiver, nil),
            (.paused, .diskFull, nil),
            (.paused, .diskFull, nil),
            (.failed, nil, .hashMismatch),
            (.failed, nil, .sourceChanged),
            (.failed, nil, .peerCouldNotVerify),
            (.failed, nil, .sourceUnreadable),
            (.failed, nil, .writeFailed),
            (.failed, nil, .other),
            (.active, nil, nil),
        ]
        for (transfer, want) in zip(stored, expected) {
            #expect(transfer.state == want.0 && transfer.pauseReason == want.1 && transfer.failureReason == want.2,
                    "\(transfer.error ?? "no error")")
            // The words stay, for people.
            #expect(transfer.error == rows[stored.firstIndex(of: transfer) ?? 0].error)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func oneContactsTransfersWithinASpanOldestFirst() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        let carol = ContactID(subjectPublicKeyInfo: Array("carol".utf8))
        try database.contacts.add(id: bob, name: "Bob")
        try database.contacts.add(id: carol, name: "Carol")
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func offered(_ minutes: Double, to contact: ContactID) throws -> Transfer {
            var made = transfer(.outgoing, .offered, path: "/home/f")
            made.contactID = contact
            made.createdAt = base.addingTimeInterval(minutes * 60)
            try database.transfers.insert(made)
            return made
        }
        let late = try offered(30, to: bob)
        let early = try offered(10, to: bob)
        _ = try offered(20, to: carol)
        let before = try offered(-5, to: bob)

        let span = try database.transfers.between(base, base.addingTimeInterval(3600), with: bob)
        #expect(span.map(\.id) == [early.id, late.id])
        let all = try database.transfers.between(.distantPast, .distantFuture, with: bob)
        #expect(all.map(\.id) == [before.id, early.id, late.id])
        #expect(try database.transfers.between(.distantPast, .distantFuture, with: carol).count == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func theSpanQueryWalksTheContactsIndexWithoutSorting() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        let plan = try database.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + TransferRepository.select + " " + TransferRepository.spanClause,
                             arguments: [bob.canonical, 0, 1]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("transfers_by_contact") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") || $0.hasPrefix("SCAN t") }, "\(plan)")
    }
}
