/// Rules for the local names people give their contacts.
public enum ContactName {
    /// The longest name accepted, in characters.
    public static let maximumLength = 64

    /// Checks a proposed name and returns it trimmed.
    public static func validated(_ name: String) throws(ContactNameError) -> String {
        let trimmed = name.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.count <= maximumLength else { throw .tooLong(trimmed.count) }
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .controlCharacter
        }
        guard !ContactID.looksLikeID(trimmed) else { throw .looksLikeID }
        return trimmed
    }
}

/// Why a proposed contact name is refused.
public enum ContactNameError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case controlCharacter
    case looksLikeID

    public var description: String {
        switch self {
        case .empty: "a contact name cannot be empty"
        case .tooLong(let count): "a contact name has at most \(ContactName.maximumLength) characters, this one has \(count)"
        case .controlCharacter: "a contact name cannot contain control characters (newlines, tabs…)"
        case .looksLikeID: "a contact name cannot look like a contact ID; choose a shorter or friendlier name"
        }
    }
}
