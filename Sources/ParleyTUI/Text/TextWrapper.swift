/// Breaks text into lines of at most a given number of columns, at spaces
/// when it can, inside a word when a word alone is too long. Never splits a
/// grapheme cluster; explicit newlines start new lines.
public enum TextWrapper {
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [text] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines += wrapParagraph(Substring(paragraph), width: width)
        }
        return lines
    }

    private static func wrapParagraph(_ paragraph: Substring, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        var lastSpace: String.Index?  // in `line`
        for character in paragraph {
            let characterWidth = DisplayWidth.of(character == "\t" ? " " : character)
            let shown: Character = character == "\t" ? " " : character
            if lineWidth + characterWidth > width {
                if shown == " " {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                    lastSpace = nil
                    continue
                }
                if let space = lastSpace {
                    lines.append(String(line[..<space]))
                    line = String(line[line.index(after: space)...])
                    lineWidth = line.displayWidth
                } else {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                lastSpace = nil
            }
            if shown == " " { lastSpace = line.endIndex }
            line.append(shown)
            lineWidth += characterWidth
        }
        lines.append(line)
        return lines
    }
}
