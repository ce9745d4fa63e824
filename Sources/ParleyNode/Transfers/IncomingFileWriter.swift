import Crypto
import Dispatch
import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Writes one incoming transfer's chunks to its part file, hashing as it
/// goes, and makes progress durable (fsync) every few MiB.
///
/// The fsync runs on a background queue while writing goes on, so the disk
/// flush does not stall the link. Only `durableOffset` is ever recorded as
/// progress (through `onDurable`), so after a crash the transfer resumes
/// from bytes known to be on disk.
final class IncomingFileWriter: @unchecked Sendable {
    let partPath: String
    let size: UInt64
    private let lock = NIOLock()
    private let descriptor: Int32
    private var hasher: SHA256
    /// Every byte before this offset has been written (maybe not yet synced).
    private var written: UInt64
    /// Every byte before this offset is on disk.
    private var durable: UInt64
    private var syncInFlight = false
    private var syncError: TransferError?
    private let syncQueue = DispatchQueue(label: "parley.transfer.fsync")
    private let onDurable: @Sendable (UInt64) -> Void

    /// Durable progress is recorded at least every this many bytes.
    static let syncEveryBytes: UInt64 = 8 << 20

    /// Opens (creating) the part file and continues at `offset`, re-hashing what is already there.
    init(partPath: String, size: UInt64, resumingAt offset: UInt64,
         onDurable: @escaping @Sendable (UInt64) -> Void) throws {
        let fd = open(partPath, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw TransferError.cannotWrite(partPath, String(cString: strerror(errno))) }
        // Bytes past the durable offset may be torn by a crash: drop them.
        guard offset <= size, ftruncate(fd, off_t(clamping: offset)) == 0 else {
            close(fd)
            throw TransferError.cannotWrite(partPath, String(cString: strerror(errno)))
        }
        do {
            hasher = try FileHasher.hasher(prefixOf: partPath, length: offset)
        } catch {
            close(fd)
            throw error
        }
        descriptor = fd
        self.partPath = partPath
        self.size = size
        self.onDurable = onDurable
        written = offset
        durable = offset
    }

    deinit { close(descriptor) }

    var writtenOffset: UInt64 { lock.withLock { written } }
    var durableOffset: UInt64 { lock.withLock { durable } }

    enum Progress {
        case written
        /// Already had these bytes (a resend): ignored.
        case duplicate
    }

    /// Writes a chunk that must start at `writtenOffset` (earlier data is a resend and ignored).
    func write(_ data: [UInt8], at offset: UInt64) throws -> Progress {
        try lock.withLock { try unlockedWrite(data, at: offset) }
    }

    private func unlockedWrite(_ data: [UInt8], at offset: UInt64) throws -> Progress {
        if let syncError { throw syncError }
        let (end, overflow) = offset.addingReportingOverflow(UInt64(data.count))
        guard !overflow, end <= size else {
            throw TransferError.cannotWrite(partPath, "the peer sent bytes past the offered size")
        }
        if end <= written { return .duplicate }
        if offset < written {
            // Partly a resend: keep only the bytes we do not have yet.
            let fresh = Array(data[Int(written - offset)...])
            return try unlockedWrite(fresh, at: written)
        }
        guard offset == written else {
            throw TransferError.cannotWrite(partPath, "chunk at \(offset) does not follow \(written)")
        }
        var done = 0
        while done < data.count {
            let result = data.withUnsafeBytes { buffer in
                pwrite(descriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done, off_t(clamping: offset) + off_t(done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Self.error(errno, partPath)
            }
            done += result
        }
        hasher.update(data: data)
        written += UInt64(data.count)
        if written - durable >= Self.syncEveryBytes && !syncInFlight {
            syncInFlight = true
            let target = written
            syncQueue.async { self.backgroundSync(upTo: target) }
        }
        return .written
    }

    private func backgroundSync(upTo target: UInt64) {
        let failed = fdatasync(descriptor) != 0 ? Self.error(errno, partPath) : nil
        lock.withLock {
            syncInFlight = false
            if let failed { syncError = failed } else { durable = max(durable, target) }
        }
        if failed == nil { onDurable(target) }
    }

    /// Flushes everything written to disk (waiting for a background flush); afterwards all is durable.
    func sync() throws {
        syncQueue.sync {}  // let a background flush finish first
        let target = writtenOffset
        guard fdatasync(descriptor) == 0 else { throw Self.error(errno, partPath) }
        lock.withLock { durable = max(durable, target) }
    }

    /// The SHA-256 of everything written (call once all bytes are in).
    func digest() -> String { lock.withLock { FileHasher.hex(hasher.finalize()) } }

    private static func error(_ code: Int32, _ path: String) -> TransferError {
        code == ENOSPC || code == EDQUOT ? .diskFull(path) : .cannotWrite(path, String(cString: strerror(code)))
    }
}
