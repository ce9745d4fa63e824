/// Why a piece of text is not a valid contact ID.
public enum ContactIDError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The ID had the wrong number of symbols (separators not counted).
    case wrongLength(found: Int, expected: Int)
    /// A character that is not part of the ID alphabet.
    case invalidCharacter(Character)
    /// The check character does not match: most likely a typo.
    case checkCharacterMismatch

    public var description: String {
        switch self {
        case .wrongLength(let found, let expected):
            "a contact ID has \(expected) characters (dashes not counted), this one has \(found)"
        case .invalidCharacter(let character):
            "'\(character)' cannot appear in a contact ID (letters A–Z and digits only)"
        case .checkCharacterMismatch:
            "the contact ID's check character does not match: there is a typo somewhere"
        }
    }
}
