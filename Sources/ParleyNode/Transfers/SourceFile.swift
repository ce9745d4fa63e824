import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file we offer, as it was when offered: its size, modification time and
/// inode, written as `size:mtime_ns:inode`. Sending compares the file with
/// it, so a file changed under a transfer fails the transfer with a reason.
struct SourceFile: Equatable, Sendable {
    let size: UInt64
    let signature: String

    /// Looks at the file at `path`; only regular files can be sent (not a
    /// device, a FIFO or a directory, which may never end or never answer).
    init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TransferError.cannotRead(path, String(cString: strerror(errno)))
        }
        try self.init(path: path, info: info)
    }

    /// The file open on `descriptor` (same rules as ``init(path:)``).
    init(descriptor: Int32, path: String) throws {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw TransferError.cannotRead(path, String(cString: strerror(errno)))
        }
        try self.init(path: path, info: info)
    }

    private init(path: String, info: stat) throws {
        guard info.st_mode & S_IFMT == S_IFREG else { throw TransferError.notAFile(path) }
        size = UInt64(clamping: info.st_size)
        let nanoseconds = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
        signature = "\(size):\(nanoseconds):\(info.st_ino)"
    }

    /// Fails with ``TransferError/sourceChanged(_:)`` unless the file at `path`
    /// still matches `expected` (a transfer offered before signatures were kept passes).
    static func check(_ path: String, descriptor: Int32, against expected: String?) throws {
        guard let expected else { return }
        guard try SourceFile(descriptor: descriptor, path: path).signature == expected else {
            throw TransferError.sourceChanged(path)
        }
    }
}
