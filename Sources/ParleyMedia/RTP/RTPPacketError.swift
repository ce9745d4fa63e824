/// Why bytes from the network are not a valid RTP or RTCP packet, or why a packet
/// cannot be serialized. A receiver drops the packet and goes on; a sender fixes the field.
public enum RTPPacketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the header or a length field requires.
    case truncated(what: String, needed: Int, available: Int)
    /// The version field is not 2 (RFC 3550 is version 2).
    case unsupportedVersion(UInt8)
    /// The padding count is 0 or larger than the room it claims.
    case invalidPadding(count: Int, room: Int)
    /// An RTCP length field that does not match the bytes of the packet.
    case invalidLength(what: String, length: Int)
    /// A field holds a value outside its range (when serializing).
    case fieldOutOfRange(field: String, value: Int, allowed: ClosedRange<Int>)

    public var description: String {
        switch self {
        case let .truncated(what, needed, available):
            return "\(what) is truncated: needs \(needed) bytes, has \(available); drop the packet"
        case let .unsupportedVersion(version):
            return "RTP/RTCP version \(version) is not supported (only version 2); drop the packet"
        case let .invalidPadding(count, room):
            return "padding of \(count) bytes does not fit the \(room) bytes after the header; drop the packet"
        case let .invalidLength(what, length):
            return "\(what) has an invalid length \(length); drop the packet"
        case let .fieldOutOfRange(field, value, allowed):
            return "\(field) = \(value) is outside \(allowed.lowerBound)...\(allowed.upperBound); fix the field before serializing"
        }
    }
}
