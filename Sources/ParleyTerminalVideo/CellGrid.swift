/// The cells of a picture in block characters, in a canonical form so that two cells that
/// look the same compare equal: `mask` says which quarters show `foreground` (see
/// `BlockGlyph`), the others show `background`. A single-colour cell has mask 0 and both
/// colours equal; otherwise the top-left quarter is always background (▀ top/bottom is kept
/// as ▄ bottom/top). Colours are `0x00RRGGBB`, or palette indices in 256-colour mode.
public struct CellGrid: Equatable, Sendable {
    public private(set) var columns: Int
    public private(set) var rows: Int
    public var masks: [UInt8]
    public var foregrounds: [UInt32]
    public var backgrounds: [UInt32]

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        let count = self.columns * self.rows
        masks = [UInt8](repeating: 0, count: count)
        foregrounds = [UInt32](repeating: 0, count: count)
        backgrounds = [UInt32](repeating: 0, count: count)
    }

    /// The cell at `row`, `column` (0-based within the grid).
    public func cell(row: Int, column: Int) -> Cell {
        let index = row * columns + column
        return Cell(mask: masks[index], foreground: foregrounds[index], background: backgrounds[index])
    }

    /// One cell.
    public struct Cell: Equatable, Sendable {
        public var mask: UInt8
        public var foreground: UInt32
        public var background: UInt32

        public init(mask: UInt8, foreground: UInt32, background: UInt32) {
            self.mask = mask
            self.foreground = foreground
            self.background = background
        }

        /// The character drawn for this mask.
        public var character: Character { Character(BlockGlyph.scalars[Int(mask & 15)]) }

        /// The colour of the top half (half-block pictures) or top-left quarter.
        public var top: UInt32 { mask & 1 != 0 ? foreground : background }
        /// The colour of the bottom half (half-block pictures) or bottom-left quarter.
        public var bottom: UInt32 { mask & 4 != 0 ? foreground : background }
    }

    /// The canonical form of a cell (see the type's comment).
    @inline(__always)
    static func canonical(mask: UInt8, foreground: UInt32, background: UInt32) -> (UInt8, UInt32, UInt32) {
        var mask = mask & 15
        if foreground == background || mask == 0 { return (0, background, background) }
        if mask == 15 { return (0, foreground, foreground) }
        if mask & 1 != 0 {
            mask ^= 15
            return (mask, background, foreground)
        }
        return (mask, foreground, background)
    }
}
