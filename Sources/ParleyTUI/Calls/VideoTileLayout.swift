/// Where the pictures of a group call go in the video pane: 1 tile fills it, 2 side by
/// side, 3–4 in a 2×2 grid, 5–6 in 3×2 (three across, two down). Tiles fill the pane in
/// reading order; the cells left over by the division go to the last column and row. Pure.
enum VideoTileLayout {
    /// The grid (columns, rows) for `count` tiles.
    static func grid(for count: Int) -> (columns: Int, rows: Int) {
        switch count {
        case ...1: (1, 1)
        case 2: (2, 1)
        case 3 ... 4: (2, 2)
        default: (3, 2)
        }
    }

    /// The rectangles of `count` tiles (at most 6) in `area`.
    static func tiles(count: Int, in area: Rect) -> [Rect] {
        let count = min(max(count, 0), 6)
        guard count > 0, !area.isEmpty else { return [] }
        let (columns, rows) = grid(for: count)
        let width = area.width / columns, height = area.height / rows
        return (0 ..< count).map { index in
            let column = index % columns, row = index / columns
            return Rect(row: area.row + row * height, column: area.column + column * width,
                        width: column == columns - 1 ? area.width - column * width : width,
                        height: row == rows - 1 ? area.height - row * height : height)
        }
    }
}
