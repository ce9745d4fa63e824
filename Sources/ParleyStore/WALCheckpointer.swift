import Foundation
import GRDB

/// Copies the write-ahead log into the database file from a thread and a connection of its
/// own, so no commit ever waits for a checkpoint and its fsync.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the threshold: with a
/// message costing a few WAL pages per commit, a send every ~150 messages paid 10–20 ms for
/// it. A running node turns that off for its writer and checkpoints here instead, PASSIVE
/// (never blocking writers or readers) a few times a second.
public final class WALCheckpointer: @unchecked Sendable {
    private let stopSignal = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    /// Guards `isStopped` (stopping twice must not wait for a thread that is gone).
    private let lock = NSLock()
    private var isStopped = false

    /// How often the log is copied back.
    public static let interval = DispatchTimeInterval.milliseconds(250)

    init(path: String) throws(StoreError) {
        let connection: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            connection = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw .unavailable(path: path, detail: String(describing: error))
        }
        let stopSignal = self.stopSignal, stopped = self.stopped
        let thread = Thread {
            Thread.current.name = "db-checkpoint"   // Linux applies a name set on the thread itself
            while stopSignal.wait(timeout: .now() + Self.interval) == .timedOut {
                _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            }
            _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            stopped.signal()
        }
        thread.start()
    }

    /// Stops the thread after a last checkpoint; returns when it is done.
    public func stop() {
        let first = lock.withLock {
            defer { isStopped = true }
            return !isStopped
        }
        guard first else { return }
        stopSignal.signal()
        stopped.wait()
    }

    /// The same, waiting without holding a thread of Swift's cooperative pool.
    public func stop() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.stop()
                continuation.resume()
            }
        }
    }
}

extension ParleyDatabase {
    /// Turns the writer's automatic checkpoints off and checkpoints on a thread of its own
    /// until the returned checkpointer is stopped (what a long-running node does).
    public func startBackgroundCheckpoints() throws(StoreError) -> WALCheckpointer {
        let checkpointer = try WALCheckpointer(path: path)
        do {
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        } catch {
            checkpointer.stop()
            throw .unavailable(path: path, detail: String(describing: error))
        }
        return checkpointer
    }
}
