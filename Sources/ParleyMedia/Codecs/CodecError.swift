/// Why a codec could not be set up or could not code a frame.
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A setting outside what Parley supports.
    case invalidSetting(name: String, value: Int, allowed: ClosedRange<Int>)
    /// A frame of the wrong size was passed in.
    case wrongFrameSize(expected: Int, actual: Int)
    /// The C library refused; `message` is its own explanation.
    case libraryFailure(library: String, operation: String, message: String)
    /// A received frame declares a picture size outside what the decoder accepts (checked
    /// before the library allocates anything for it).
    case frameSizeRefused(width: Int, height: Int, dimensions: ClosedRange<Int>, maximumPixels: Int)
    /// Received data that cannot be a frame of the codec (refused before the library sees it).
    case malformedFrame(String)
    /// A delta frame after a refused keyframe: it cannot be decoded until the next keyframe.
    case awaitingKeyframe

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, allowed):
            return "\(name) = \(value) is not supported; use a value in \(allowed.lowerBound)...\(allowed.upperBound)"
        case let .wrongFrameSize(expected, actual):
            return "a frame of \(actual) samples/bytes was given, the codec needs exactly \(expected)"
        case let .libraryFailure(library, operation, message):
            return "\(library) \(operation) failed: \(message) (check the settings and that the input is a \(library) stream)"
        case let .frameSizeRefused(width, height, dimensions, maximumPixels):
            return "a \(width)x\(height) frame was refused: width and height must be \(dimensions.lowerBound)...\(dimensions.upperBound) "
                + "and at most \(maximumPixels) pixels in all (have the sender scale its video down)"
        case let .malformedFrame(reason):
            return "a received frame was refused: \(reason)"
        case .awaitingKeyframe:
            return "a delta frame arrived after a refused keyframe; waiting for the next keyframe"
        }
    }
}

func requireSetting(_ name: String, _ value: Int, in allowed: ClosedRange<Int>) throws(CodecError) {
    guard allowed.contains(value) else { throw .invalidSetting(name: name, value: value, allowed: allowed) }
}
