/// Where the input line's text goes on screen: wrapped to the width after the
/// prompt, at most `maxRows` rows (scrolled so the cursor shows), with the
/// cursor's row and column counted in display columns.
public struct InputLayout: Sendable, Equatable {
    /// The rows to draw (without the prompt).
    public var rows: [String]
    public var cursorRow: Int
    public var cursorColumn: Int

    /// Lays out `editor` for a text area `width` columns wide.
    public init(editor: LineEditor, width: Int, maxRows: Int) {
        let width = max(2, width)
        var rows: [String] = [""]
        var rowWidths: [Int] = [0]
        var cursorRow = 0, cursorColumn = 0
        for (index, character) in editor.characters.enumerated() {
            if index == editor.cursor {
                cursorRow = rows.count - 1
                cursorColumn = rowWidths[rows.count - 1]
            }
            if character == "\n" {
                rows.append("")
                rowWidths.append(0)
                continue
            }
            let shown: Character = character == "\t" ? " " : character
            let characterWidth = DisplayWidth.of(shown)
            if rowWidths[rows.count - 1] + characterWidth > width {
                rows.append("")
                rowWidths.append(0)
                if index == editor.cursor {
                    cursorRow = rows.count - 1
                    cursorColumn = 0
                }
            }
            rows[rows.count - 1].append(shown)
            rowWidths[rows.count - 1] += characterWidth
        }
        if editor.cursor == editor.characters.count {
            cursorRow = rows.count - 1
            cursorColumn = rowWidths[rows.count - 1]
            if cursorColumn >= width {  // the cursor wraps to a fresh row
                rows.append("")
                cursorRow += 1
                cursorColumn = 0
            }
        }
        let visible = max(1, maxRows)
        let first = max(0, min(cursorRow - visible + 1, rows.count - visible))
        let shownRows = Array(rows[first..<min(rows.count, first + visible)])
        self.rows = shownRows
        self.cursorRow = cursorRow - first
        self.cursorColumn = cursorColumn
    }

    /// Rows the input needs (1 up to `maxRows`) for this text at this width.
    public static func rowsNeeded(editor: LineEditor, width: Int, maxRows: Int) -> Int {
        let full = InputLayout(editor: editor, width: width, maxRows: Int.max)
        return max(1, min(maxRows, full.rows.count))
    }
}
