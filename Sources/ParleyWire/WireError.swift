/// Everything that can be wrong with bytes received from a peer.
///
/// Any of these errors means the peer sent a malformed or oversized frame; the
/// session answers with `CLOSE(protocolError)` and closes the connection.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A frame header announced a payload longer than the decoder accepts.
    case frameTooLarge(length: UInt64, limit: Int)
    /// The input ended before the named field was complete.
    case truncated(field: String)
    /// A string field did not contain valid UTF-8.
    case invalidUTF8(field: String)
    /// A length-prefixed field announced more bytes than its limit.
    case fieldTooLong(field: String, length: Int, limit: Int)
    /// A field held a value outside its defined set (e.g. a bool of 2).
    case invalidValue(field: String, value: UInt64)
    /// A list field had a number of entries outside its allowed range.
    case invalidCount(field: String, count: Int, allowed: ClosedRange<Int>)
    /// A frame carried a payload layout version that is not valid (0).
    case invalidVersion(type: UInt16, version: UInt8)
    /// A string field contained a NUL character (U+0000), which no Parley string may hold.
    case nulCharacter(field: String)
    /// A number lay outside the range its field allows (a time, a size, an offset).
    case outOfRange(field: String, value: UInt64, allowed: ClosedRange<UInt64>)

    /// One sentence describing the problem, suitable for a CLOSE reason or a log line.
    public var description: String {
        switch self {
        case let .frameTooLarge(length, limit):
            "Frame payload of \(length) bytes exceeds the limit of \(limit) bytes."
        case let .truncated(field):
            "Input ended before field '\(field)' was complete."
        case let .invalidUTF8(field):
            "Field '\(field)' is not valid UTF-8."
        case let .fieldTooLong(field, length, limit):
            "Field '\(field)' is \(length) bytes long, over the limit of \(limit) bytes."
        case let .invalidValue(field, value):
            "Field '\(field)' has the invalid value \(value)."
        case let .invalidCount(field, count, allowed):
            "Field '\(field)' has \(count) entries, outside the allowed range \(allowed.lowerBound)...\(allowed.upperBound)."
        case let .invalidVersion(type, version):
            "Frame type \(FrameType(rawValue: type)) has the invalid payload version \(version)."
        case let .nulCharacter(field):
            "Field '\(field)' contains a NUL character, which strings may not hold."
        case let .outOfRange(field, value, allowed):
            "Field '\(field)' has the value \(value), outside the allowed range \(allowed.lowerBound)...\(allowed.upperBound)."
        }
    }
}
