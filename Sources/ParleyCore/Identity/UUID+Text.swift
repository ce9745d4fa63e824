import Foundation

extension UUID {
    /// The canonical upper-case text form (`E621E1F8-C36C-495A-93FC-0C247A3E6E5F`), as
    /// `uuidString` gives, without going through `snprintf`: stores and wire code
    /// write it for every message.
    public var canonicalText: String {
        let digits: StaticString = "0123456789ABCDEF"
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = digits.utf8Start[Int(byte >> 4)]
                    text[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }

    /// Parses the canonical text form, in either case; nil for anything else. The same
    /// answers as `UUID(uuidString:)` for 36-character input, without `sscanf`.
    public init?(canonicalText text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable { Self.parse($0) } ?? Self.parse(Array(text.utf8))
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    private static func parse(_ symbols: some RandomAccessCollection<UInt8>) -> uuid_t? {
        guard symbols.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed: Bool = withUnsafeMutableBytes(of: &bytes) { output in
            var position = symbols.startIndex
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard symbols[position] == UInt8(ascii: "-") else { return false }
                    position = symbols.index(after: position)
                }
                let next = symbols.index(after: position)
                guard let high = hexValue(symbols[position]), let low = hexValue(symbols[next]) else { return false }
                output[index] = high << 4 | low
                position = symbols.index(after: next)
            }
            return true
        }
        return parsed ? bytes : nil
    }

    private static func hexValue(_ symbol: UInt8) -> UInt8? {
        switch symbol {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): symbol - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): symbol - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): symbol - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
