#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Appends Parley wire primitives (all big-endian) to a byte buffer.
///
/// Writing never fails and does not check ``WireLimits``; it traps only if a
/// length or count cannot be represented in its prefix (more than
/// `UInt32.max` bytes or `UInt16.max` list entries).
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer, optionally reserving `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes a `u8`.
    public mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    /// Writes a big-endian `u16`.
    public mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Writes a big-endian `u32`.
    public mutating func writeUInt32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    /// Writes a big-endian `u64`.
    public mutating func writeUInt64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Writes a `bool` as a `u8` 0 or 1.
    public mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// Writes a `uuid` as its 16 raw bytes in RFC 4122 (network) order.
    public mutating func writeUUID(_ value: UUID) {
        withUnsafeBytes(of: value.uuid) { bytes.append(contentsOf: $0) }
    }

    /// Writes raw bytes with no length prefix.
    public mutating func writeRaw(_ raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Writes `bytes`: a `u32` length followed by the raw bytes.
    public mutating func writeBytes(_ raw: some Collection<UInt8>) {
        precondition(raw.count <= Int(UInt32.max), "bytes field longer than UInt32.max")
        writeUInt32(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }

    /// Writes a `string`: a `u32` UTF-8 byte length followed by the UTF-8 bytes.
    public mutating func writeString(_ value: String) {
        writeBytes(value.utf8)
    }

    /// Writes a `list<T>`: a `u16` count followed by each item written by `writeItem`.
    public mutating func writeList<C: Collection>(
        _ items: C,
        _ writeItem: (inout ByteWriter, C.Element) -> Void
    ) {
        precondition(items.count <= Int(UInt16.max), "list longer than UInt16.max entries")
        writeUInt16(UInt16(items.count))
        for item in items {
            writeItem(&self, item)
        }
    }
}
