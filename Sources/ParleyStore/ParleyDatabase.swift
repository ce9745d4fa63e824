import Foundation
import GRDB

/// The profile's SQLite database: WAL mode, foreign keys on, schema from the
/// embedded `migrations/*.sql`. Safe to share between tasks and processes.
public final class ParleyDatabase: Sendable {
    /// The GRDB connection pool (one writer, concurrent readers).
    public let writer: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Checkpoint (and fsync) every ~16 MB of WAL rather than every 4 MB: fewer latency spikes.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 4000")
        }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
            try SchemaMigrations.migrator.migrate(writer)
        } catch {
            throw .unavailable(path: path, detail: String(describing: error))
        }
        self.path = path
    }

    /// Names of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try SchemaMigrations.migrator.appliedMigrations(db) }
    }

    public var contacts: ContactRepository { ContactRepository(writer: writer) }
    public var messages: MessageRepository { MessageRepository(writer: writer) }
    public var settings: SettingsRepository { SettingsRepository(writer: writer) }
    public var requests: ContactRequestRepository { ContactRequestRepository(writer: writer) }
    public var transfers: TransferRepository { TransferRepository(writer: writer) }
}
