import Crypto

/// A peer's identity as people exchange it: derived from the SHA-256 of the
/// peer's public key (DER SubjectPublicKeyInfo), so it pins the key.
///
/// The first 175 bits of the hash are written as 35 Crockford base32
/// symbols followed by one Luhn mod 32 check symbol, shown in nine groups of
/// four (`ABCD-EFGH-…`). Parsing ignores case, dashes and spaces.
public struct ContactID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Symbols carrying hash bits.
    public static let payloadLength = 35
    /// Symbols in a canonical ID, check symbol included.
    public static let length = payloadLength + 1
    /// Symbols per group in the grouped form.
    public static let groupLength = 4

    /// The 36 upper-case symbols without separators.
    public let canonical: String

    /// Derives the ID of a public key from its DER SubjectPublicKeyInfo.
    public init(subjectPublicKeyInfo der: some Sequence<UInt8>) {
        let digest = SHA256.hash(data: Array(der))
        let values = CrockfordBase32.fiveBitValues(of: Array(digest), count: Self.payloadLength)
        let check = CrockfordBase32.luhnCheckValue(for: values)
        canonical = String((values + [check]).map { CrockfordBase32.alphabet[$0] })
    }

    /// Parses an ID typed or pasted by a person.
    public init(parsing text: String) throws(ContactIDError) {
        var values: [Int] = []
        for character in text where character != "-" && !character.isWhitespace {
            guard let value = CrockfordBase32.value(of: character) else {
                throw .invalidCharacter(character)
            }
            values.append(value)
        }
        guard values.count == Self.length else {
            throw .wrongLength(found: values.count, expected: Self.length)
        }
        guard CrockfordBase32.luhnCheckValue(for: Array(values.dropLast())) == values.last else {
            throw .checkCharacterMismatch
        }
        canonical = String(values.map { CrockfordBase32.alphabet[$0] })
    }

    /// Whether `text` looks like an attempt at an ID (right length once
    /// separators are removed, only ID symbols), valid or not.
    public static func looksLikeID(_ text: String) -> Bool {
        let symbols = text.filter { $0 != "-" && !$0.isWhitespace }
        return symbols.count == length && symbols.allSatisfy { CrockfordBase32.value(of: $0) != nil }
    }

    /// The form shown to people: groups of four joined by dashes.
    public var grouped: String {
        var symbols: [UInt8] = []
        symbols.reserveCapacity(Self.length + Self.length / Self.groupLength)
        for (index, symbol) in canonical.utf8.enumerated() {
            if index > 0, index.isMultiple(of: Self.groupLength) { symbols.append(UInt8(ascii: "-")) }
            symbols.append(symbol)
        }
        return String(decoding: symbols, as: UTF8.self)
    }

    /// The first two groups, for status lines where space is short.
    public var short: String { String(grouped.prefix(Self.groupLength * 2 + 1)) }

    public var description: String { grouped }

    public static func < (lhs: ContactID, rhs: ContactID) -> Bool { lhs.canonical < rhs.canonical }
}
