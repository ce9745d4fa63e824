/// A panel over the conversation (help, search results, transfers, ID
/// check): a title row, lines that scroll, an optional selected line, and a
/// footer with the keys that work in it.
public struct PanelView: Sendable {
    public var title: String
    public var lines: [StyledLine]
    /// Index of the highlighted line, for panels where one is chosen.
    public var selected: Int?
    public var footer: String
    /// First line shown when nothing is selected (scrolled with PageUp/PageDown).
    public var firstLine: Int

    public init(title: String, lines: [StyledLine], selected: Int? = nil, footer: String, firstLine: Int = 0) {
        self.title = title
        self.lines = lines
        self.selected = selected
        self.footer = footer
        self.firstLine = firstLine
    }

    public func draw(on canvas: any Canvas, in rect: Rect) {
        guard rect.height >= 3 else { return }
        for row in rect.row..<rect.bottom { canvas.fill(row: row, column: rect.column, width: rect.width, role: .normal) }
        BarView(left: [StyledSpan(" " + title)], role: .titleBar)
            .draw(on: canvas, in: Rect(row: rect.row, column: rect.column, width: rect.width, height: 1))
        // The footer's keys wrap between its ` · ` groups, so every key stays on screen.
        let footerRows = Array(Self.footerRows(footer, width: rect.width - 1).suffix(max(1, rect.height - 3)))
        let bodyHeight = rect.height - 1 - footerRows.count
        // Reading panels (no selection) wrap their lines; lists keep one row per entry.
        let lines = selected == nil ? self.lines.flatMap { $0.wrapped(width: rect.width - 2) } : self.lines
        var first = max(0, min(firstLine, lines.count - bodyHeight))
        if let selected {
            first = max(0, min(selected - bodyHeight / 2, lines.count - bodyHeight))
        }
        for offset in 0..<bodyHeight where first + offset < lines.count {
            let index = first + offset
            let row = rect.row + 1 + offset
            if index == selected {
                canvas.fill(row: row, column: rect.column, width: rect.width, role: .selection)
                canvas.put(StyledLine(lines[index].spans.map { StyledSpan($0.text, .selection) }), row: row,
                           column: rect.column + 1, maxColumns: rect.width - 2)
            } else {
                canvas.put(lines[index], row: row, column: rect.column + 1, maxColumns: rect.width - 2)
            }
        }
        for (offset, text) in footerRows.enumerated() {
            canvas.put(" " + text, row: rect.bottom - footerRows.count + offset, column: rect.column, role: .dim, maxColumns: rect.width)
        }
    }

    /// The footer in rows of at most `width` columns, broken between its ` · ` groups.
    static func footerRows(_ footer: String, width: Int) -> [String] {
        var rows: [String] = []
        var row = ""
        for group in footer.components(separatedBy: " · ") {
            let candidate = row.isEmpty ? group : row + " · " + group
            if candidate.displayWidth <= width || row.isEmpty {
                row = candidate
            } else {
                rows.append(row)
                row = group
            }
        }
        rows.append(row)
        return rows
    }
}
