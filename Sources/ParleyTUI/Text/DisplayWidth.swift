/// How many terminal columns text takes: 0 for controls and lone combining
/// marks, 2 for wide characters (CJK, fullwidth forms, emoji), 1 otherwise.
/// Works on grapheme clusters, so `e` + U+0301 is one column and a flag or a
/// family emoji is two.
public enum DisplayWidth {
    /// Columns taken by one grapheme cluster.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return 0 }
        if scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }  // emoji presentation selector
        if isWide(first) { return 2 }
        if isZeroWidth(first) { return 0 }
        return 1
    }

    /// Columns taken by a string.
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// Whether a scalar is drawn two columns wide (East Asian Wide/Fullwidth, emoji presentation).
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isEmojiPresentation { return true }
        return wideRanges.contains { $0.contains(scalar.value) }
    }

    /// Combining marks, zero-width spaces and joiners, format characters.
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: return scalar.value == 0x200B
        }
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
        0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
        0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x1B000...0x1B2FF, 0x1F200...0x1F2FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}

extension String {
    /// Columns this string takes in a terminal.
    public var displayWidth: Int { DisplayWidth.of(self) }

    /// The longest prefix that fits in `columns`, never splitting a cluster.
    public func prefix(fittingColumns columns: Int) -> String {
        var used = 0
        var end = startIndex
        for index in indices {
            let width = DisplayWidth.of(self[index])
            if used + width > columns { break }
            used += width
            end = self.index(after: index)
        }
        return String(self[..<end])
    }

    /// Cut to `columns`, ending with `…` when something was cut.
    public func truncated(toColumns columns: Int) -> String {
        guard columns > 0 else { return "" }
        if displayWidth <= columns { return self }
        return prefix(fittingColumns: columns - 1) + "…"
    }

    /// Padded with spaces (or cut) to exactly `columns`.
    public func padded(toColumns columns: Int) -> String {
        let cut = truncated(toColumns: columns)
        return cut + String(repeating: " ", count: max(0, columns - cut.displayWidth))
    }
}
