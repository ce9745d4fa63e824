/// Crockford's base32 alphabet (no I, L, O, U) and the Luhn mod 32 check
/// character used by contact IDs. Pure functions, no state.
enum CrockfordBase32 {
    /// The 32 symbols, indexed by their 5-bit value.
    static let alphabet: [Character] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// The 5-bit value of a symbol, accepting lower case and the usual
    /// misreadings (I and L read as 1, O read as 0); nil for anything else.
    static func value(of character: Character) -> Int? {
        guard let ascii = character.asciiValue else { return nil }
        switch Character(Unicode.Scalar(ascii).properties.uppercaseMapping) {
        case "I", "L": return 1
        case "O": return 0
        case let upper: return alphabet.firstIndex(of: upper)
        }
    }

    /// Splits `bytes` into `count` 5-bit values, most significant bit first.
    static func fiveBitValues(of bytes: some Collection<UInt8>, count: Int) -> [Int] {
        let bits = bytes.flatMap { byte in (0..<8).reversed().map { Int(byte >> UInt8($0)) & 1 } }
        precondition(bits.count >= count * 5, "not enough bits for \(count) symbols")
        return (0..<count).map { index in
            bits[(index * 5)..<(index * 5 + 5)].reduce(0) { $0 << 1 | $1 }
        }
    }

    /// The Luhn mod 32 check value for `values` (each 0…31).
    static func luhnCheckValue(for values: [Int]) -> Int {
        var factor = 2
        var sum = 0
        for value in values.reversed() {
            let addend = factor * value
            sum += addend / 32 + addend % 32
            factor = factor == 2 ? 1 : 2
        }
        return (32 - sum % 32) % 32
    }
}
