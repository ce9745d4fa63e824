/// Why a profile cannot be opened.
public enum ProfileError: Error, Equatable, Sendable, CustomStringConvertible {
    case noHomeDirectory
    case invalidProfileName(String)
    case cannotCreateDirectory(String, String)
    case incompleteIdentity(missing: String)
    case cannotWrite(String, String)
    case cannotRead(String, String)
    case invalidIdentity(String)

    public var description: String {
        switch self {
        case .noHomeDirectory:
            "HOME is not set; pass --home DIR to choose where the profile lives"
        case .invalidProfileName(let name):
            "'\(name)' is not a profile name: it must not be empty, contain '/' or start with a dot"
        case .cannotCreateDirectory(let path, let detail):
            "cannot create the profile directory \(path) (\(detail))"
        case .incompleteIdentity(let missing):
            "the identity is incomplete: \(missing) is missing; restore it from a backup (Parley will not replace a half identity)"
        case .cannotWrite(let path, let detail):
            "cannot write \(path) (\(detail)); check free space and permissions"
        case .cannotRead(let path, let detail):
            "cannot read \(path) (\(detail)); check its permissions"
        case .invalidIdentity(let detail):
            detail
        }
    }
}
