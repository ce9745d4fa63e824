import Crypto
import Foundation

/// SHA-256 of files, read in large blocks (hardware-accelerated hashing).
enum FileHasher {
    static let blockSize = 1 << 20

    /// The hex SHA-256 and size of the file at `path`.
    static func hash(path: String) throws -> (sha256: String, size: UInt64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TransferError.cannotRead(path, "no such file or no permission")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: UInt64 = 0
        while true {
            guard let block = try handle.read(upToCount: blockSize), !block.isEmpty else { break }
            hasher.update(data: block)
            size += UInt64(block.count)
        }
        return (hex(hasher.finalize()), size)
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
