extension String {
    /// The text with control characters (escape sequences, bells, C1 codes)
    /// replaced by `�`, so nothing a peer sends can move the cursor or change
    /// the terminal. Tabs become spaces; newlines are kept only if asked.
    public func sanitizedForTerminal(keepingNewlines: Bool = false) -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x0A where keepingNewlines: result.unicodeScalars.append(scalar)
            case 0x09: result.append(" ")
            case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029: result.append("\u{FFFD}")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
