/// The input rows at the bottom: a prompt naming the conversation, then
/// the text laid out by `InputLayout`. Gives the cursor's screen position.
public struct InputView: Sendable {
    public var prompt: String
    public var editor: LineEditor

    public init(prompt: String, editor: LineEditor) {
        self.prompt = prompt
        self.editor = editor
    }

    /// Columns the prompt takes (cut to a third of the width at most).
    func promptColumns(width: Int) -> Int { min(prompt.displayWidth, max(4, width / 3)) }

    /// Rows the text wants at this width.
    public func rowsNeeded(width: Int) -> Int {
        InputLayout.rowsNeeded(editor: editor, width: width - promptColumns(width: width) - 1,
                               maxRows: ScreenLayout.maxInputRows)
    }

    /// Draws and returns where the cursor goes.
    @discardableResult
    public func draw(on canvas: any Canvas, in rect: Rect) -> (row: Int, column: Int) {
        let promptWidth = promptColumns(width: rect.width)
        let textColumn = rect.column + promptWidth
        let layout = InputLayout(editor: editor, width: rect.width - promptWidth - 1, maxRows: rect.height)
        for row in rect.row..<rect.bottom { canvas.fill(row: row, column: rect.column, width: rect.width, role: .normal) }
        canvas.put(prompt.truncated(toColumns: promptWidth), row: rect.row, column: rect.column, role: .prompt,
                   maxColumns: promptWidth)
        for (index, text) in layout.rows.enumerated() {
            canvas.put(text, row: rect.row + index, column: textColumn, role: .normal, maxColumns: rect.width - promptWidth)
        }
        return (rect.row + layout.cursorRow, textColumn + layout.cursorColumn)
    }
}
