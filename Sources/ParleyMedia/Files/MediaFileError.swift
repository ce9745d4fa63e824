/// Why a WAV or Y4M file cannot be read or written.
public enum MediaFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened, read or written.
    case io(path: String, reason: String)
    /// Not the expected format, or a structure that does not add up.
    case malformed(path: String, reason: String)
    /// A valid file in a variant Parley does not read; `conversion` says how to convert it.
    case unsupported(path: String, what: String, conversion: String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformed(path, reason): return "\(path) is malformed: \(reason)"
        case let .unsupported(path, what, conversion): return "\(path): \(what) is not supported; convert it with `\(conversion)`"
        }
    }
}
