/// Where views draw: cells addressed by row and column, text in a role.
/// `CursesScreen` draws on the terminal; `TextCanvas` draws into strings for tests.
public protocol Canvas: AnyObject {
    var rows: Int { get }
    var columns: Int { get }
    /// Writes `text` at (row, column), cut to `maxColumns` display columns; returns the columns used.
    @discardableResult
    func put(_ text: String, row: Int, column: Int, role: TextRole, maxColumns: Int) -> Int
    /// Paints `width` blank cells in the role's background.
    func fill(row: Int, column: Int, width: Int, role: TextRole)
}

extension Canvas {
    /// Writes spans one after the other, cut at `maxColumns`; returns the columns used.
    @discardableResult
    public func put(_ line: StyledLine, row: Int, column: Int, maxColumns: Int) -> Int {
        var used = 0
        for span in line.spans where used < maxColumns {
            used += put(span.text, row: row, column: column + used, role: span.role, maxColumns: maxColumns - used)
        }
        return used
    }
}

/// A canvas in memory: the screen as lines of text (roles dropped), wide
/// characters followed by an empty cell like a terminal would show them.
public final class TextCanvas: Canvas {
    public let rows: Int
    public let columns: Int
    private var cells: [[String]]
    public private(set) var roles: [[TextRole]]

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
        roles = Array(repeating: Array(repeating: .normal, count: columns), count: rows)
    }

    @discardableResult
    public func put(_ text: String, row: Int, column: Int, role: TextRole, maxColumns: Int) -> Int {
        guard (0..<rows).contains(row), column >= 0, column < columns else { return 0 }
        let limit = min(maxColumns, columns - column)
        var used = 0
        for character in text.sanitizedForTerminal() {
            let width = DisplayWidth.of(character)
            if used + width > limit { break }
            if width == 0 {
                if used > 0 { cells[row][column + used - 1].append(character) }
                continue
            }
            cells[row][column + used] = String(character)
            roles[row][column + used] = role
            if width == 2 {
                cells[row][column + used + 1] = ""
                roles[row][column + used + 1] = role
            }
            used += width
        }
        return used
    }

    public func fill(row: Int, column: Int, width: Int, role: TextRole) {
        guard (0..<rows).contains(row) else { return }
        for offset in 0..<max(0, width) where column + offset >= 0 && column + offset < columns {
            cells[row][column + offset] = " "
            roles[row][column + offset] = role
        }
    }

    /// The screen's text, one string per row, trailing spaces removed.
    public var lines: [String] {
        cells.map { String($0.joined().reversed().drop(while: { $0 == " " }).reversed()) }
    }
}
