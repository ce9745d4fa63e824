/// Why a codec could not be set up or could not code a frame.
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A setting outside what Parley supports.
    case invalidSetting(name: String, value: Int, allowed: ClosedRange<Int>)
    /// A frame of the wrong size was passed in.
    case wrongFrameSize(expected: Int, actual: Int)
    /// The C library refused; `message` is its own explanation.
    case libraryFailure(library: String, operation: String, message: String)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, allowed):
            return "\(name) = \(value) is not supported; use a value in \(allowed.lowerBound)...\(allowed.upperBound)"
        case let .wrongFrameSize(expected, actual):
            return "a frame of \(actual) samples/bytes was given, the codec needs exactly \(expected)"
        case let .libraryFailure(library, operation, message):
            return "\(library) \(operation) failed: \(message) (check the settings and that the input is a \(library) stream)"
        }
    }
}

func requireSetting(_ name: String, _ value: Int, in allowed: ClosedRange<Int>) throws(CodecError) {
    guard allowed.contains(value) else { throw .invalidSetting(name: name, value: value, allowed: allowed) }
}
