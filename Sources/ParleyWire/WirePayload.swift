/// A structured frame payload that can be read from and written to the wire.
///
/// Decoding reads the fields it knows, in order, and leaves any trailing
/// bytes (fields appended by a newer payload version) unread. Encoding writes
/// the current layout and does not check limits; ``validate()`` does.
public protocol WirePayload: Sendable, Equatable {
    /// Reads the payload's fields, enforcing the decoder limits.
    init(from reader: inout ByteReader) throws(WireError)
    /// Appends the payload's fields to `writer`.
    func encode(to writer: inout ByteWriter)
    /// Throws the error a receiver would report if this payload breaks a ``WireLimits`` limit.
    func validate() throws(WireError)
}

extension WirePayload {
    /// The encoded payload bytes (header excluded).
    public func encodedPayload() -> [UInt8] {
        var writer = ByteWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes a payload from `bytes`, ignoring trailing bytes.
    public init(payload bytes: [UInt8]) throws(WireError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
    }
}

/// Sender-side limit checks mirroring the decoder's.
enum Limit {
    static func check(_ string: String, field: String, maxBytes: Int) throws(WireError) {
        let length = string.utf8.count
        guard length <= maxBytes else {
            throw .fieldTooLong(field: field, length: length, limit: maxBytes)
        }
        guard !string.utf8.contains(0) else { throw .nulCharacter(field: field) }
    }

    static func check(_ value: UInt64, field: String, allowed: ClosedRange<UInt64>) throws(WireError) {
        guard allowed.contains(value) else {
            throw .outOfRange(field: field, value: value, allowed: allowed)
        }
    }

    static func check(count: Int, field: String, allowed: ClosedRange<Int>) throws(WireError) {
        guard allowed.contains(count) else {
            throw .invalidCount(field: field, count: count, allowed: allowed)
        }
    }
}
