/// A rectangle of terminal cells.
public struct Rect: Sendable, Equatable, CustomStringConvertible {
    public var row: Int
    public var column: Int
    public var width: Int
    public var height: Int

    public init(row: Int, column: Int, width: Int, height: Int) {
        self.row = row
        self.column = column
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public static let empty = Rect(row: 0, column: 0, width: 0, height: 0)

    public var isEmpty: Bool { width == 0 || height == 0 }
    public var bottom: Int { row + height }
    public var right: Int { column + width }

    public var description: String { "\(width)x\(height)@\(row),\(column)" }
}
