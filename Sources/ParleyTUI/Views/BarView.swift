/// A one-row bar (the title at the top, the status line above the input):
/// spans on the left, spans on the right, the rest filled in the bar's colour.
public struct BarView: Sendable {
    public var left: [StyledSpan]
    public var right: [StyledSpan]
    public var role: TextRole

    public init(left: [StyledSpan], right: [StyledSpan] = [], role: TextRole) {
        self.left = left
        self.right = right
        self.role = role
    }

    public func draw(on canvas: any Canvas, in rect: Rect) {
        guard rect.height > 0 else { return }
        canvas.fill(row: rect.row, column: rect.column, width: rect.width, role: role)
        let rightWidth = right.reduce(0) { $0 + $1.text.displayWidth }
        let leftLimit = rect.width - (rightWidth > 0 ? rightWidth + 1 : 0)
        var column = rect.column
        for span in left where column - rect.column < leftLimit {
            column += canvas.put(span.text, row: rect.row, column: column, role: span.role == .normal ? role : span.role,
                                 maxColumns: leftLimit - (column - rect.column))
        }
        if rightWidth > 0, rightWidth < rect.width {
            var rightColumn = rect.right - rightWidth
            for span in right {
                rightColumn += canvas.put(span.text, row: rect.row, column: rightColumn,
                                          role: span.role == .normal ? role : span.role, maxColumns: rect.right - rightColumn)
            }
        }
    }
}
