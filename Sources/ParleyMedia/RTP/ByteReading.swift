/// Big-endian reading from a byte buffer with bounds checks (internal to the RTP layer).
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    mutating func require(_ count: Int, _ what: String) throws(RTPPacketError) {
        guard count >= 0, remaining >= count else {
            throw .truncated(what: what, needed: offset + count, available: end)
        }
    }

    mutating func readUInt8(_ what: String) throws(RTPPacketError) -> UInt8 {
        try require(1, what)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(_ what: String) throws(RTPPacketError) -> UInt16 {
        try require(2, what)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32(_ what: String) throws(RTPPacketError) -> UInt32 {
        try require(4, what)
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func readBytes(_ count: Int, _ what: String) throws(RTPPacketError) -> [UInt8] {
        try require(count, what)
        defer { offset += count }
        return Array(bytes[offset ..< offset + count])
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}

func checkRange(_ field: String, _ value: Int, _ allowed: ClosedRange<Int>) throws(RTPPacketError) {
    guard allowed.contains(value) else { throw .fieldOutOfRange(field: field, value: value, allowed: allowed) }
}
