/// The fixed 8-byte header that precedes every frame's payload.
///
/// ```
/// offset 0: length  u32  payload length in bytes (header excluded)
/// offset 4: type    u16  frame type (see FrameType)
/// offset 6: version u8   payload layout version, >= 1
/// offset 7: flags   u8   reserved: send 0, ignore on receipt
/// ```
public struct FrameHeader: Sendable, Equatable {
    /// Encoded size of a header in bytes.
    public static let size = 8

    /// Payload length in bytes, header excluded.
    public var length: UInt32
    /// Frame type; see ``FrameType``.
    public var type: UInt16
    /// Payload layout version (1 for every type today; 0 is malformed).
    public var version: UInt8
    /// Reserved flags: sent as 0, ignored on receipt.
    public var flags: UInt8

    /// Creates a header from its fields.
    public init(length: UInt32, type: UInt16, version: UInt8, flags: UInt8 = 0) {
        self.length = length
        self.type = type
        self.version = version
        self.flags = flags
    }

    /// Parses a header from the first 8 bytes of `bytes`; extra bytes are ignored.
    ///
    /// Throws ``WireError/truncated(field:)`` if fewer than 8 bytes are given.
    /// No field is validated here: limits are the decoder's job.
    public init(parsing bytes: some Collection<UInt8>) throws(WireError) {
        // The 8 header bytes read as one big-endian u64.
        var value: UInt64 = 0
        var count = 0
        for byte in bytes.prefix(Self.size) {
            value = value << 8 | UInt64(byte)
            count += 1
        }
        guard count == Self.size else { throw .truncated(field: "frame.header") }
        self.init(
            length: UInt32(truncatingIfNeeded: value >> 32),
            type: UInt16(truncatingIfNeeded: value >> 16),
            version: UInt8(truncatingIfNeeded: value >> 8),
            flags: UInt8(truncatingIfNeeded: value)
        )
    }

    /// The 8 encoded header bytes.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: Self.size)
        encode(to: &writer)
        return writer.bytes
    }

    /// Appends the 8 encoded header bytes to `writer`.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt32(length)
        writer.writeUInt16(type)
        writer.writeUInt8(version)
        writer.writeUInt8(flags)
    }
}
