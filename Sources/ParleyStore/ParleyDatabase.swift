import Foundation
import GRDB

/// The profile's SQLite database: WAL mode, foreign keys on, schema from the
/// embedded `migrations/*.sql`. Safe to share between tasks and processes.
public final class ParleyDatabase: Sendable {
    /// The GRDB connection pool (one writer, concurrent readers).
    public let writer: DatabasePool
    public let path: String
    /// Threads of the store's own for `perform`, outside Swift's cooperative pool.
    private let workQueue = DispatchQueue(label: "parley.store", qos: .userInitiated, attributes: .concurrent)

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
        // History is private: the file is made 0600 before SQLite opens it (its WAL and
        // shared-memory files take the same mode), and an older, looser file is tightened.
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
        for file in [path, path + "-wal", path + "-shm"] { Self.makePrivate(file) }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
            try SchemaMigrations.migrator.migrate(writer)
        } catch {
            throw .unavailable(path: path, detail: String(describing: error))
        }
        for file in [path + "-wal", path + "-shm"] { Self.makePrivate(file) }
        self.path = path
    }

    /// Removes group and other permissions from `file`, if it exists.
    private static func makePrivate(_ file: String) {
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        chmod(file, info.st_mode & 0o700)
    }

    /// Runs blocking store work on the store's own threads and waits for it without holding
    /// a thread of Swift's cooperative pool (two threads on small machines): what async code
    /// on a busy path (links, the control socket) uses instead of calling a repository directly.
    public func perform<Result: Sendable, Failure: Error>(
        _ work: @escaping @Sendable (ParleyDatabase) throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
            workQueue.async {
                do throws(Failure) {
                    continuation.resume(returning: .success(try work(self)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try outcome.get()
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
    public var requestLimits: RequestLimitRepository { RequestLimitRepository(writer: writer) }
    public var calls: CallRepository { CallRepository(writer: writer) }
}
