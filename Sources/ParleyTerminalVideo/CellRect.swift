/// Where video goes on the terminal: a rectangle of character cells.
///
/// Coordinates are **0-based** (row 0 is the top row of the screen, column 0 the left
/// column), like curses' `getbegyx`/`newwin`; the renderers add 1 when they write the
/// cursor-position sequences (`ESC [ row ; column H`, which are 1-based).
public struct CellRect: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The top row, 0-based.
    public var row: Int
    /// The left column, 0-based.
    public var column: Int
    /// Width in cells.
    public var columns: Int
    /// Height in cells.
    public var rows: Int

    public init(row: Int, column: Int, columns: Int, rows: Int) {
        self.row = row
        self.column = column
        self.columns = columns
        self.rows = rows
    }

    /// A rectangle at the top-left corner of the screen.
    public init(columns: Int, rows: Int) {
        self.init(row: 0, column: 0, columns: columns, rows: rows)
    }

    /// The largest rectangle a renderer accepts on either side (larger values are clamped).
    public static let maximumSide = 4096

    /// The same rectangle with every value in range: origins ≥ 0, sizes 0…`maximumSide`.
    public var clamped: CellRect {
        CellRect(
            row: min(max(row, 0), Self.maximumSide), column: min(max(column, 0), Self.maximumSide),
            columns: min(max(columns, 0), Self.maximumSide), rows: min(max(rows, 0), Self.maximumSide))
    }

    /// True when there is no cell to draw.
    public var isEmpty: Bool { columns <= 0 || rows <= 0 }

    public var description: String { "\(columns)x\(rows) cells at row \(row), column \(column) (0-based)" }
}
