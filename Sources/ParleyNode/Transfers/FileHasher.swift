import Crypto
import Foundation
import NIOPosix

/// SHA-256 of files, read in large blocks (hardware-accelerated hashing).
enum FileHasher {
    static let blockSize = 1 << 20

    /// The hex SHA-256 of the regular file at `path`, with what it looked like
    /// when hashed. Runs on NIO's blocking-I/O thread pool, never on Swift's
    /// cooperative pool; a file that changes while it is hashed is refused.
    static func hashSource(path: String) async throws -> (sha256: String, source: SourceFile) {
        try await NIOThreadPool.singleton.runIfActive {
            let before = try SourceFile(path: path)  // refuses devices and FIFOs before opening them
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw TransferError.cannotRead(path, "no such file or no permission")
            }
            defer { try? handle.close() }
            guard try SourceFile(descriptor: handle.fileDescriptor, path: path) == before else {
                throw TransferError.sourceChanged(path)
            }
            var hasher = SHA256()
            var size: UInt64 = 0
            while size <= before.size {
                guard let block = try handle.read(upToCount: blockSize), !block.isEmpty else { break }
                hasher.update(data: block)
                size += UInt64(block.count)
            }
            guard size == before.size,
                  try SourceFile(descriptor: handle.fileDescriptor, path: path) == before else {
                throw TransferError.sourceChanged(path)
            }
            return (hex(hasher.finalize()), before)
        }
    }

    /// A hasher fed with the first `length` bytes of the file at `path`.
    static func hasher(prefixOf path: String, length: UInt64) throws -> SHA256 {
        var hasher = SHA256()
        guard length > 0 else { return hasher }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw TransferError.cannotRead(path, "missing") }
        defer { try? handle.close() }
        var remaining = length
        while remaining > 0 {
            guard let block = try handle.read(upToCount: Int(min(UInt64(blockSize), remaining))), !block.isEmpty else {
                throw TransferError.cannotRead(path, "shorter than the \(length) bytes recorded")
            }
            hasher.update(data: block)
            remaining -= UInt64(block.count)
        }
        return hasher
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(fromHex hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
