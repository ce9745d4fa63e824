/// Writes block cells as terminal bytes, sending only what changed since the last frame.
///
/// - The cells last sent are kept; a cell is sent again only when its shape changed or a
///   colour moved by more than `colorTolerance` in some channel (true colour; palette
///   indices compare exactly). An unchanged frame is zero bytes: not even the reset or the
///   synchronized-output brackets.
/// - Runs of unchanged cells are jumped over: `ESC [ n C` within a row, `ESC [ r ; c H`
///   otherwise.
/// - Colours are sent only when they differ (by more than the tolerance) from what the
///   terminal has in effect, and each cell is drawn as ▀ or ▄ (or a quadrant or its
///   complement, a space or █) whichever needs fewer colour changes.
/// - The first cell of a frame starts with `SGR 0`, the frame ends with `SGR 0`, so the
///   caller's attributes are clean afterwards. The cursor is left after the last cell drawn.
struct CellDiffEncoder {
    var region: CellRect
    var colors: TerminalColorMode
    var colorTolerance: Int
    var synchronizedOutput: Bool
    /// Wrap each frame in DECSC / DECRC (curses hosts, whose idea of the cursor must stay true).
    var preservesCursor: Bool
    /// Screen cells (absolute, 0-based) never written: something else is drawn there (a
    /// self-view over the peer's picture). They count as unknown, so they are drawn once
    /// uncovered.
    var occluded: CellRect?

    /// What the terminal shows (mask 0xFF: unknown, drawn on the next frame).
    private var shown: CellGrid
    private static let unknown: UInt8 = 0xFF

    /// Cells sent by the last `encode`.
    private(set) var cellsSent = 0

    init(region: CellRect, colors: TerminalColorMode, colorTolerance: Int, synchronizedOutput: Bool, preservesCursor: Bool) {
        self.region = region
        self.colors = colors
        self.colorTolerance = colorTolerance
        self.synchronizedOutput = synchronizedOutput
        self.preservesCursor = preservesCursor
        shown = CellGrid(columns: region.columns, rows: region.rows)
        invalidate()
    }

    /// Forgets what the terminal shows: the next frame is sent whole.
    mutating func invalidate() {
        if shown.columns != region.columns || shown.rows != region.rows {
            shown = CellGrid(columns: region.columns, rows: region.rows)
        }
        for index in shown.masks.indices { shown.masks[index] = Self.unknown }
    }

    /// Appends to `output` the bytes that turn what is shown into `cells` (same size as the
    /// region; otherwise nothing is written).
    mutating func encode(_ cells: CellGrid, into output: inout [UInt8]) {
        cellsSent = 0
        guard cells.columns == region.columns, cells.rows == region.rows, shown.columns == cells.columns, shown.rows == cells.rows else {
            return
        }
        let columns = cells.columns, rows = cells.rows
        let tolerance = colors == .trueColor ? colorTolerance : 0
        let start = output.count
        var started = false
        // What the terminal has in effect: nil until set in this frame.
        var currentForeground: UInt32? = nil
        var currentBackground: UInt32? = nil
        var cursorRow = -1, cursorColumn = -1
        var sent = 0
        // The occluded cells, relative to the region (an empty range when none).
        var hiddenRows = 0 ..< 0, hiddenColumns = 0 ..< 0
        if let occluded, !occluded.isEmpty {
            hiddenRows = max(0, occluded.row - region.row) ..< max(0, min(rows, occluded.row + occluded.rows - region.row))
            hiddenColumns = max(0, occluded.column - region.column) ..< max(0, min(columns, occluded.column + occluded.columns - region.column))
        }
        for row in 0 ..< rows {
            let rowHidden = hiddenRows.contains(row)
            for column in 0 ..< columns {
                let index = row * columns + column
                if rowHidden && hiddenColumns.contains(column) {
                    shown.masks[index] = Self.unknown
                    continue
                }
                let mask = cells.masks[index], foreground = cells.foregrounds[index], background = cells.backgrounds[index]
                let shownMask = shown.masks[index]
                if shownMask == mask
                    && RGBColor.isClose(shown.backgrounds[index], background, tolerance: tolerance)
                    && (mask == 0 || RGBColor.isClose(shown.foregrounds[index], foreground, tolerance: tolerance)) {
                    continue
                }
                if !started {
                    started = true
                    if synchronizedOutput { output.append(contentsOf: TerminalSequences.beginSynchronizedUpdate) }
                    if preservesCursor { output.append(contentsOf: TerminalSequences.saveCursor) }
                    output.append(contentsOf: TerminalSequences.resetAttributes)
                }
                // Cursor.
                let screenRow = region.row + row, screenColumn = region.column + column
                if cursorRow == screenRow && cursorColumn >= 0 && cursorColumn < screenColumn {
                    let gap = screenColumn - cursorColumn
                    output.appendCSI()
                    if gap > 1 { output.appendDecimal(gap) }
                    output.append(0x43)  // C
                } else if cursorRow != screenRow || cursorColumn != screenColumn {
                    output.appendCursorPosition(row: screenRow, column: screenColumn)
                }
                // Shape and colours, choosing the form that changes fewer colours; a colour in
                // effect within the tolerance of the one wanted is kept (and recorded as shown).
                var glyph = mask
                var wantForeground: UInt32? = nil
                var wantBackground: UInt32? = nil
                var shownForeground = foreground, shownBackground = background
                @inline(__always) func near(_ current: UInt32?, _ wanted: UInt32) -> Bool {
                    guard let current else { return false }
                    return RGBColor.isClose(current, wanted, tolerance: tolerance)
                }
                if mask == 0 {
                    if let current = currentBackground, near(current, background) {
                        glyph = 0
                        shownBackground = current
                    } else if let current = currentForeground, near(current, background) {
                        glyph = BlockGlyph.full
                        shownBackground = current
                    } else {
                        wantBackground = background
                    }
                    shownForeground = shownBackground
                } else {
                    let costDirect = (near(currentForeground, foreground) ? 0 : 1) + (near(currentBackground, background) ? 0 : 1)
                    let costInverse = (near(currentForeground, background) ? 0 : 1) + (near(currentBackground, foreground) ? 0 : 1)
                    if costInverse <= costDirect {
                        glyph = mask ^ 15
                        if let current = currentForeground, near(current, background) { shownBackground = current } else { wantForeground = background }
                        if let current = currentBackground, near(current, foreground) { shownForeground = current } else { wantBackground = foreground }
                    } else {
                        if let current = currentForeground, near(current, foreground) { shownForeground = current } else { wantForeground = foreground }
                        if let current = currentBackground, near(current, background) { shownBackground = current } else { wantBackground = background }
                    }
                }
                if wantForeground != nil || wantBackground != nil {
                    appendColors(foreground: wantForeground, background: wantBackground, into: &output)
                    if let wantForeground { currentForeground = wantForeground }
                    if let wantBackground { currentBackground = wantBackground }
                }
                let glyphIndex = Int(glyph) * 3
                let length = BlockGlyph.lengths[Int(glyph)]
                output.append(BlockGlyph.utf8[glyphIndex])
                if length == 3 {
                    output.append(BlockGlyph.utf8[glyphIndex + 1])
                    output.append(BlockGlyph.utf8[glyphIndex + 2])
                }
                cursorRow = screenRow
                cursorColumn = screenColumn + 1
                shown.masks[index] = mask
                shown.foregrounds[index] = shownForeground
                shown.backgrounds[index] = shownBackground
                sent += 1
            }
        }
        cellsSent = sent
        guard started, output.count > start else { return }
        output.append(contentsOf: TerminalSequences.resetAttributes)
        if preservesCursor { output.append(contentsOf: TerminalSequences.restoreCursor) }
        if synchronizedOutput { output.append(contentsOf: TerminalSequences.endSynchronizedUpdate) }
    }

    /// One SGR for the colours that change: `ESC [ 38;2;R;G;B ; 48;2;R;G;B m` (or `38;5;N`).
    @inline(__always)
    private func appendColors(foreground: UInt32?, background: UInt32?, into output: inout [UInt8]) {
        output.appendCSI()
        if let foreground {
            appendColor(foreground, selector: 0x33, into: &output)  // 3x
        }
        if let background {
            if foreground != nil { output.append(0x3B) }
            appendColor(background, selector: 0x34, into: &output)  // 4x
        }
        output.append(0x6D)  // m
    }

    @inline(__always)
    private func appendColor(_ color: UInt32, selector: UInt8, into output: inout [UInt8]) {
        output.append(selector)
        output.append(0x38)  // 8
        output.append(0x3B)
        switch colors {
        case .trueColor:
            output.append(0x32)  // 2
            output.append(0x3B)
            output.appendDecimal(RGBColor.red(color))
            output.append(0x3B)
            output.appendDecimal(RGBColor.green(color))
            output.append(0x3B)
            output.appendDecimal(RGBColor.blue(color))
        case .palette256:
            output.append(0x35)  // 5
            output.append(0x3B)
            output.appendDecimal(Int(color & 0xFF))
        }
    }
}
