/// Appending escape sequences and numbers to a byte buffer without building strings.
extension Array where Element == UInt8 {
    /// `ESC [`.
    @inline(__always)
    mutating func appendCSI() {
        append(0x1B)
        append(0x5B)
    }

    /// A non-negative decimal number (negative numbers are written as 0).
    @inline(__always)
    mutating func appendDecimal(_ value: Int) {
        if value < 10 {
            append(UInt8(truncatingIfNeeded: 0x30 + Swift.max(value, 0)))
        } else if value < 100 {
            append(UInt8(truncatingIfNeeded: 0x30 + value / 10))
            append(UInt8(truncatingIfNeeded: 0x30 + value % 10))
        } else if value < 1000 {
            append(UInt8(truncatingIfNeeded: 0x30 + value / 100))
            append(UInt8(truncatingIfNeeded: 0x30 + value / 10 % 10))
            append(UInt8(truncatingIfNeeded: 0x30 + value % 10))
        } else {
            var digits: [UInt8] = []
            var rest = value
            while rest > 0 {
                digits.append(UInt8(truncatingIfNeeded: 0x30 + rest % 10))
                rest /= 10
            }
            append(contentsOf: digits.reversed())
        }
    }

    /// ASCII text (escape sequences written as literals).
    @inline(__always)
    mutating func appendASCII(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Cursor to a 0-based `row`, `column`: `ESC [ row+1 ; column+1 H`.
    @inline(__always)
    mutating func appendCursorPosition(row: Int, column: Int) {
        appendCSI()
        appendDecimal(row + 1)
        append(0x3B)
        appendDecimal(column + 1)
        append(0x48)
    }
}

/// The fixed sequences the renderers write.
public enum TerminalSequences {
    /// Begin / end synchronized output (DEC private mode 2026): the terminal shows the frame
    /// at once when it ends, never half drawn.
    public static let beginSynchronizedUpdate: [UInt8] = Array("\u{1B}[?2026h".utf8)
    public static let endSynchronizedUpdate: [UInt8] = Array("\u{1B}[?2026l".utf8)
    /// All attributes back to the default (`SGR 0`).
    public static let resetAttributes: [UInt8] = Array("\u{1B}[0m".utf8)
    /// Save / restore the cursor position and attributes (DECSC / DECRC).
    public static let saveCursor: [UInt8] = [0x1B, 0x37]
    public static let restoreCursor: [UInt8] = [0x1B, 0x38]
    /// The alternate screen on / off (with the cursor saved and restored, mode 1049).
    public static let enterAlternateScreen: [UInt8] = Array("\u{1B}[?1049h".utf8)
    public static let leaveAlternateScreen: [UInt8] = Array("\u{1B}[?1049l".utf8)
    public static let hideCursor: [UInt8] = Array("\u{1B}[?25l".utf8)
    public static let showCursor: [UInt8] = Array("\u{1B}[?25h".utf8)
    public static let clearScreen: [UInt8] = Array("\u{1B}[2J".utf8)
}
