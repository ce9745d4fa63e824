import Crypto
import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Writes one incoming transfer's chunks to its part file, hashing as it
/// goes, and makes progress durable (fsync) at intervals.
///
/// Only `durableOffset` is ever recorded as progress, so after a crash the
/// transfer resumes from bytes known to be on disk. A lock serialises the
/// link's writes with a pause or shutdown syncing from elsewhere.
final class IncomingFileWriter: @unchecked Sendable {
    private let lock = NIOLock()
    let partPath: String
    let size: UInt64
    private let descriptor: Int32
    private var hasher: SHA256
    /// Every byte before this offset has been written (maybe not yet synced).
    private(set) var writtenOffset: UInt64
    /// Every byte before this offset is on disk.
    private(set) var durableOffset: UInt64
    private var lastSync = ContinuousClock.now

    static let syncEveryBytes: UInt64 = 8 << 20
    static let syncEvery: Duration = .seconds(1)

    /// Opens (creating) the part file and continues at `offset`, re-hashing what is already there.
    init(partPath: String, size: UInt64, resumingAt offset: UInt64) throws {
        let fd = open(partPath, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TransferError.cannotWrite(partPath, String(cString: strerror(errno))) }
        // Bytes past the durable offset may be torn by a crash: drop them.
        guard ftruncate(fd, off_t(offset)) == 0 else {
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
        writtenOffset = offset
        durableOffset = offset
    }

    deinit { close(descriptor) }

    enum Progress {
        /// Written; `synced` says whether durableOffset moved.
        case written(synced: Bool)
        /// Already had these bytes (a resend): ignored.
        case duplicate
    }

    /// Writes a chunk that must start at `writtenOffset` (earlier data is a resend and ignored).
    func write(_ data: [UInt8], at offset: UInt64) throws -> Progress {
        try lock.withLock { try unlockedWrite(data, at: offset) }
    }

    private func unlockedWrite(_ data: [UInt8], at offset: UInt64) throws -> Progress {
        if offset + UInt64(data.count) <= writtenOffset { return .duplicate }
        guard offset == writtenOffset else {
            throw TransferError.cannotWrite(partPath, "chunk at \(offset) does not follow \(writtenOffset)")
        }
        guard offset + UInt64(data.count) <= size else {
            throw TransferError.cannotWrite(partPath, "the peer sent more bytes than the offered size")
        }
        var done = 0
        while done < data.count {
            let result = data.withUnsafeBytes { buffer in
                pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                if errno == ENOSPC || errno == EDQUOT { throw TransferError.diskFull(partPath) }
                throw TransferError.cannotWrite(partPath, String(cString: strerror(errno)))
            }
            done += result
        }
        hasher.update(data: data)
        writtenOffset += UInt64(data.count)
        if writtenOffset == size || writtenOffset - durableOffset >= Self.syncEveryBytes
            || lastSync.duration(to: .now) >= Self.syncEvery {
            try unlockedSync()
            return .written(synced: true)
        }
        return .written(synced: false)
    }

    /// Flushes to disk; afterwards `durableOffset == writtenOffset`.
    func sync() throws {
        try lock.withLock { try unlockedSync() }
    }

    private func unlockedSync() throws {
        guard fsync(descriptor) == 0 else {
            if errno == ENOSPC || errno == EDQUOT { throw TransferError.diskFull(partPath) }
            throw TransferError.cannotWrite(partPath, String(cString: strerror(errno)))
        }
        durableOffset = writtenOffset
        lastSync = .now
    }

    /// The SHA-256 of everything written (call once all bytes are in).
    func digest() -> String { FileHasher.hex(hasher.finalize()) }
}
