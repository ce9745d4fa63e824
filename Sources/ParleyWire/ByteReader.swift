#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads Parley wire primitives (all big-endian) from a payload.
///
/// Every read names the field it is reading so errors can say what was wrong.
/// Length-prefixed fields are checked against their limit before anything is
/// read or allocated. A failed read leaves the reader where it was.
public struct ByteReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// Index of the next byte to read.
    public private(set) var offset: Int

    /// Creates a reader positioned at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Number of bytes not read yet.
    public var remainingCount: Int { bytes.count - offset }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int, field: String) throws(WireError) -> Range<Int> {
        guard count <= remainingCount else { throw .truncated(field: field) }
        let range = offset ..< offset + count
        offset += count
        return range
    }

    private mutating func readInteger<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, field: String
    ) throws(WireError) -> T {
        let range = try take(MemoryLayout<T>.size, field: field)
        var value: T = 0
        for index in range {
            value = value << 8 | T(bytes[index])
        }
        return value
    }

    /// Reads a `u8`.
    public mutating func readUInt8(field: String) throws(WireError) -> UInt8 {
        try readInteger(UInt8.self, field: field)
    }

    /// Reads a big-endian `u16`.
    public mutating func readUInt16(field: String) throws(WireError) -> UInt16 {
        try readInteger(UInt16.self, field: field)
    }

    /// Reads a big-endian `u32`.
    public mutating func readUInt32(field: String) throws(WireError) -> UInt32 {
        try readInteger(UInt32.self, field: field)
    }

    /// Reads a big-endian `u64`.
    public mutating func readUInt64(field: String) throws(WireError) -> UInt64 {
        try readInteger(UInt64.self, field: field)
    }

    /// Reads a big-endian `u64` that must lie in `allowed`; otherwise ``WireError/outOfRange(field:value:allowed:)``.
    public mutating func readUInt64(field: String, allowed: ClosedRange<UInt64>) throws(WireError) -> UInt64 {
        let start = offset
        let value = try readUInt64(field: field)
        guard allowed.contains(value) else {
            offset = start
            throw .outOfRange(field: field, value: value, allowed: allowed)
        }
        return value
    }

    /// Reads a big-endian `u8`, `u16` or `u32` that must lie in `allowed`; otherwise
    /// ``WireError/outOfRange(field:value:allowed:)``.
    public mutating func readUInt8(field: String, allowed: ClosedRange<UInt64>) throws(WireError) -> UInt8 {
        try readBounded(UInt8.self, field: field, allowed: allowed)
    }

    public mutating func readUInt16(field: String, allowed: ClosedRange<UInt64>) throws(WireError) -> UInt16 {
        try readBounded(UInt16.self, field: field, allowed: allowed)
    }

    public mutating func readUInt32(field: String, allowed: ClosedRange<UInt64>) throws(WireError) -> UInt32 {
        try readBounded(UInt32.self, field: field, allowed: allowed)
    }

    private mutating func readBounded<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, field: String, allowed: ClosedRange<UInt64>
    ) throws(WireError) -> T {
        let start = offset
        let value = try readInteger(T.self, field: field)
        guard allowed.contains(UInt64(value)) else {
            offset = start
            throw .outOfRange(field: field, value: UInt64(value), allowed: allowed)
        }
        return value
    }

    /// Reads a time (`u64` milliseconds since the Unix epoch) within ``WireLimits/timestamps``.
    public mutating func readTimestamp(field: String) throws(WireError) -> UInt64 {
        try readUInt64(field: field, allowed: WireLimits.timestamps)
    }

    /// Reads a file size or offset (`u64`) within ``WireLimits/fileOffsets``.
    public mutating func readFileOffset(field: String) throws(WireError) -> UInt64 {
        try readUInt64(field: field, allowed: WireLimits.fileOffsets)
    }

    /// Reads a `bool`; any value other than 0 or 1 is ``WireError/invalidValue(field:value:)``.
    public mutating func readBool(field: String) throws(WireError) -> Bool {
        let start = offset
        switch try readUInt8(field: field) {
        case 0: return false
        case 1: return true
        case let other:
            offset = start
            throw .invalidValue(field: field, value: UInt64(other))
        }
    }

    /// Reads a `uuid` (16 raw bytes).
    public mutating func readUUID(field: String) throws(WireError) -> UUID {
        let range = try take(16, field: field)
        let b = bytes[range]
        let i = b.startIndex
        return UUID(uuid: (
            b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7],
            b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12], b[i + 13], b[i + 14], b[i + 15]
        ))
    }

    /// Reads `count` raw bytes with no length prefix.
    public mutating func readRaw(count: Int, field: String) throws(WireError) -> [UInt8] {
        precondition(count >= 0, "negative count")
        return Array(bytes[try take(count, field: field)])
    }

    /// Reads a `u32` length prefix and checks it against `maxLength` and the remaining input.
    private mutating func readLengthPrefixed(field: String, maxLength: Int) throws(WireError) -> Range<Int> {
        let start = offset
        let length = try readUInt32(field: field)
        guard UInt64(length) <= UInt64(max(0, maxLength)) else {
            offset = start
            throw .fieldTooLong(field: field, length: Int(length), limit: maxLength)
        }
        do throws(WireError) {
            return try take(Int(length), field: field)
        } catch {
            offset = start
            throw error
        }
    }

    /// Reads `bytes`: a `u32` length (at most `maxLength`) followed by that many raw bytes.
    public mutating func readBytes(field: String, maxLength: Int) throws(WireError) -> [UInt8] {
        Array(bytes[try readLengthPrefixed(field: field, maxLength: maxLength)])
    }

    /// Reads a `string`: a `u32` byte length (at most `maxBytes`) followed by valid UTF-8.
    public mutating func readString(field: String, maxBytes: Int) throws(WireError) -> String {
        let start = offset
        let utf8 = bytes[try readLengthPrefixed(field: field, maxLength: maxBytes)]
        // Decoding repairs invalid sequences with U+FFFD, so the result only
        // reproduces the input bytes exactly when the input was valid UTF-8.
        let string = String(decoding: utf8, as: UTF8.self)
        guard string.utf8.elementsEqual(utf8) else {
            offset = start
            throw .invalidUTF8(field: field)
        }
        // NUL ends strings in SQLite's and C's APIs: refused, so no text is cut short later.
        guard !utf8.contains(0) else {
            offset = start
            throw .nulCharacter(field: field)
        }
        return string
    }

    /// Reads a `list<T>`: a `u16` count that must lie in `allowedCount`, then each item.
    public mutating func readList<T>(
        field: String,
        allowedCount: ClosedRange<Int>,
        _ readItem: (inout ByteReader) throws(WireError) -> T
    ) throws(WireError) -> [T] {
        let start = offset
        let count = Int(try readUInt16(field: field))
        guard allowedCount.contains(count) else {
            offset = start
            throw .invalidCount(field: field, count: count, allowed: allowedCount)
        }
        var items: [T] = []
        items.reserveCapacity(count)
        do throws(WireError) {
            for _ in 0 ..< count {
                items.append(try readItem(&self))
            }
        } catch {
            offset = start
            throw error
        }
        return items
    }
}
