import Foundation
import GRDB
import Testing
@testable import ParleyStore

@Suite("Migrations")
struct MigrationTests {
    @Test func applyToAnEmptyDatabaseAndAreIdempotentOnReopen() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let first = try temporary.open()
        #expect(try first.appliedMigrations() == SchemaMigrations.names)
        #expect(SchemaMigrations.names.first == "0001_initial")
        let tables = try first.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["settings", "contacts", "contact_addresses", "contact_requests", "conversations",
                      "messages", "messages_fts", "transfers", "calls"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let reopened = try temporary.open()
        #expect(try reopened.appliedMigrations() == SchemaMigrations.names)
    }

    @Test func databaseUsesWALAndForeignKeys() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        let (journal, foreignKeys) = try database.writer.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
    }

    @Test func embeddedMigrationsMatchTheSQLFiles() throws {
        let migrations = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appending(path: "migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: migrations.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == SchemaMigrations.names)
    }
}
