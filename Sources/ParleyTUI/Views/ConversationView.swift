/// The scrollback of the open conversation: the lines the scroll position
/// shows, and a marker when newer lines are hidden below.
public struct ConversationView: Sendable {
    public var lines: [StyledLine]
    public var scrollback: Scrollback

    public init(lines: [StyledLine], scrollback: Scrollback) {
        self.lines = lines
        self.scrollback = scrollback
    }

    public func draw(on canvas: any Canvas, in rect: Rect) {
        for row in rect.row..<rect.bottom { canvas.fill(row: row, column: rect.column, width: rect.width, role: .normal) }
        let range = scrollback.visibleRange(totalLines: lines.count, height: rect.height)
        // Short conversations sit at the bottom, next to the input, like a chat.
        let top = rect.bottom - range.count
        for (offset, index) in range.enumerated() {
            canvas.put(lines[index], row: top + offset, column: rect.column + 1, maxColumns: rect.width - 1)
        }
        if !scrollback.isAtBottom, rect.height > 0 {
            let marker = " ↓ more below (PageDown) "
            canvas.put(marker, row: rect.bottom - 1, column: rect.right - marker.displayWidth, role: .warning,
                       maxColumns: marker.displayWidth)
        }
    }
}
