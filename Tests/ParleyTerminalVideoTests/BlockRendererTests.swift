import ParleyMedia
import Testing
@testable import ParleyTerminalVideo

@Suite("Block renderer", .timeLimit(.minutes(1)))
struct BlockRendererTests {
    static let white = "255,255,255", black = "0,0,0", red = "255,0,0"

    @Test func colorConversionIsBT601LimitedRange() {
        #expect(RGBColor.fromYUV(y: 235, u: 128, v: 128) == 0xFFFFFF)
        #expect(RGBColor.fromYUV(y: 16, u: 128, v: 128) == 0x000000)
        #expect(RGBColor.fromYUV(y: 81, u: 90, v: 240) == 0xFF0000)
        #expect(RGBColor.fromYUV(y: 255, u: 255, v: 0) & 0xFF == 0xFF)  // clamped, no trap
        #expect(RGBColor.fromYUV(y: 0, u: 0, v: 0) >> 16 == 0)
    }

    @Test func stripesBecomeHalfBlocksWithTopAndBottomColours() {
        // 64x32 into 32x8 cells = 32x16 pixels: each pixel covers 2x2 source pixels, no letterbox.
        // Source rows alternate two at a time red / white: each cell is red on top, white below.
        let frame = TestFrames.frame(width: 64, height: 32) { _, y in (y / 2) % 2 == 0 ? TestFrames.red : TestFrames.white }
        let renderer = BlockVideoRenderer(region: CellRect(row: 3, column: 5, columns: 32, rows: 8))
        var screen = TerminalModel()
        screen.apply(renderer.render(frame))
        #expect(screen.unknown.isEmpty)
        #expect(screen.written.count == 32 * 8)
        for row in 0 ..< 8 {
            for column in 0 ..< 32 {
                let cell = screen.cell(3 + row, 5 + column)
                #expect(cell.character == "▀" || cell.character == "▄")
                #expect(cell.halves.top == Self.red && cell.halves.bottom == Self.white, "\(row),\(column): \(cell)")
            }
        }
        // Nothing outside the region.
        #expect(screen.written.allSatisfy { key in (3 ..< 11).contains(key / 10_000) && (5 ..< 37).contains(key % 10_000) })
        // The pure cells agree.
        let cell = renderer.cells.cell(row: 0, column: 0)
        #expect(cell.top == 0xFF0000 && cell.bottom == 0xFFFFFF)
    }

    @Test func fourThreeInEightyByTwentyFourIsPillarboxedAndCentred() {
        // 640x480 in 80x24 cells (80x48 square pixels): 64x48, 8 black columns each side.
        let renderer = BlockVideoRenderer(region: CellRect(columns: 80, rows: 24))
        var screen = TerminalModel()
        screen.apply(renderer.render(TestFrames.uniform(width: 640, height: 480, TestFrames.white)))
        #expect(renderer.fit == ImageFit(x: 8, y: 0, width: 64, height: 48))
        for row in [0, 12, 23] {
            for column in 0 ..< 80 {
                let expected = (8 ..< 72).contains(column) ? Self.white : Self.black
                let halves = screen.cell(row, column).halves
                #expect(halves.top == expected && halves.bottom == expected, "\(row),\(column)")
            }
        }
        // 16:9 in the same pane: full width, letterbox rows above and below.
        let wide = BlockVideoRenderer(region: CellRect(columns: 80, rows: 24))
        _ = wide.render(TestFrames.uniform(width: 320, height: 180, TestFrames.white))
        #expect(wide.fit == ImageFit(x: 0, y: 1, width: 80, height: 45))
        #expect(wide.cells.cell(row: 0, column: 40).top == 0 && wide.cells.cell(row: 0, column: 40).bottom == 0xFFFFFF)
    }

    @Test func identicalFrameEmitsZeroBytesAndInvalidateRedrawsEverything() {
        let frame = TestFrames.frame(width: 160, height: 120) { x, y in (x / 8 + y / 8) % 2 == 0 ? TestFrames.red : TestFrames.blue }
        let renderer = BlockVideoRenderer(region: CellRect(row: 1, column: 2, columns: 40, rows: 15), options: .init(synchronizedOutput: true))
        let first = renderer.render(frame)
        #expect(first.starts(with: TerminalSequences.beginSynchronizedUpdate))
        #expect(Array(first.suffix(TerminalSequences.resetAttributes.count + TerminalSequences.endSynchronizedUpdate.count))
            == TerminalSequences.resetAttributes + TerminalSequences.endSynchronizedUpdate)
        #expect(renderer.render(frame).isEmpty)
        #expect(renderer.cellsSent == 0)
        #expect(renderer.render(frame).isEmpty)
        renderer.invalidate()
        #expect(renderer.render(frame) == first)
        #expect(renderer.cellsSent == 40 * 15)
        // A new region is drawn whole too.
        renderer.region = CellRect(row: 0, column: 0, columns: 40, rows: 15)
        #expect(!renderer.render(frame).isEmpty)
        #expect(renderer.cellsSent == 40 * 15)
    }

    @Test func aChangeInOneRegionSendsOnlyThatRegion() {
        // 160x96 into 80x24 cells: each cell is 2x4 source pixels (1 px wide, 2 px tall in the grid).
        let base: (Int, Int) -> (Int, Int, Int) = { x, y in ((x / 16 + y / 16) % 2 == 0) ? TestFrames.white : TestFrames.blue }
        let first = TestFrames.frame(width: 160, height: 96, base)
        // Change cells rows 5...6, columns 30...33 (source x 60..<68, y 20..<28) to red.
        let second = TestFrames.frame(width: 160, height: 96) { x, y in
            (60 ..< 68).contains(x) && (20 ..< 28).contains(y) ? TestFrames.red : base(x, y)
        }
        let region = CellRect(row: 2, column: 10, columns: 80, rows: 24)
        let renderer = BlockVideoRenderer(region: region)
        var screen = TerminalModel()
        screen.apply(renderer.render(first))
        let diff = renderer.render(second)
        var update = TerminalModel()
        update.apply(diff)
        let expected = Set((5 ... 6).flatMap { row in (30 ... 33).map { TerminalModel.key(2 + row, 10 + $0) } })
        #expect(update.written == expected)
        #expect(renderer.cellsSent == 8)
        // Exactly two cursor jumps (one per row), no other sequence than colours and resets.
        let moves = update.sequences.filter { $0.hasSuffix("H") || $0.hasSuffix("C") }
        #expect(moves == ["\(2 + 5 + 1);\(10 + 30 + 1)H", "\(2 + 6 + 1);\(10 + 30 + 1)H"])
        #expect(update.unknown.isEmpty)
        // Red is set once for the four cells of each row; the second row reuses it.
        #expect(update.sequences.filter { $0.contains("255;0;0") }.count == 1)
        #expect(diff.count < 120, "\(diff.count) bytes")
        // Applied over the first picture, the diff gives exactly the second picture drawn whole.
        screen.apply(diff)
        var whole = TerminalModel()
        whole.apply(BlockVideoRenderer(region: region).render(second))
        for key in whole.written {
            #expect(screen.cells[key]?.halves.top == whole.cells[key]?.halves.top)
            #expect(screen.cells[key]?.halves.bottom == whole.cells[key]?.halves.bottom)
        }
    }

    @Test func jumpsWithinARowUseCursorForward() {
        let base = TestFrames.uniform(width: 64, height: 32, TestFrames.white)
        let changed = TestFrames.frame(width: 64, height: 32) { x, y in
            y < 4 && (x / 2 == 3 || x / 2 == 10) ? TestFrames.red : TestFrames.white
        }
        let renderer = BlockVideoRenderer(region: CellRect(columns: 32, rows: 8))
        _ = renderer.render(base)
        var update = TerminalModel()
        update.apply(renderer.render(changed))
        #expect(update.sequences.filter { $0.hasSuffix("H") } == ["1;4H"])
        #expect(update.sequences.contains("6C"))
        #expect(update.written == [TerminalModel.key(0, 3), TerminalModel.key(0, 10)])
    }

    @Test func coloursAreNotRepeatedBetweenNeighbours() {
        let renderer = BlockVideoRenderer(region: CellRect(columns: 40, rows: 10))
        let bytes = renderer.render(TestFrames.uniform(width: 80, height: 40, TestFrames.red))
        var screen = TerminalModel()
        screen.apply(bytes)
        // One colour for 400 cells: one SGR with it, one cursor move.
        #expect(screen.sequences.filter { $0.contains("38;2") || $0.contains("48;2") }.count == 1)
        #expect(screen.sequences.filter { $0.hasSuffix("H") }.count == 10)
        #expect(bytes.count < 400 + 10 * 8 + 40)
        // Two colours per cell: both set once, then every cell is just its character.
        let striped = BlockVideoRenderer(region: CellRect(columns: 40, rows: 10))
        var stripes = TerminalModel()
        stripes.apply(striped.render(TestFrames.frame(width: 80, height: 40) { _, y in (y / 2) % 2 == 0 ? TestFrames.red : TestFrames.white }))
        #expect(stripes.sequences.filter { $0.hasSuffix("m") && $0 != "0m" }.count == 1)
    }

    @Test func paletteModeUsesTheNearest256Colours() {
        #expect(XtermPalette.nearestIndex(to: 0xFF0000) == 196)
        #expect(XtermPalette.nearestIndex(to: 0x000000) == 16)
        #expect(XtermPalette.nearestIndex(to: 0xFFFFFF) == 231)
        #expect(XtermPalette.nearestIndex(to: 0x808080) == 244)  // grey 128
        #expect(XtermPalette.nearestIndex(to: 0x5F87AF) == 67)  // cube 1,2,3
        #expect(XtermPalette.nearestIndex(to: 0x080808) == 232)
        #expect(XtermPalette.nearestIndex(to: 0xEEEEEE) == 255)
        #expect(XtermPalette.nearestIndex(to: 0x646464) == 241)  // grey 98 beats cube 95
        #expect(XtermPalette.nearestIndex(to: 0x00FF30) == 47)  // 0,5,1: 48 is nearer 95 than 0
        // Every entry maps to itself.
        for index in 16 ... 255 { #expect(Int(XtermPalette.nearestIndex(to: XtermPalette.color(of: index))) == index) }

        let renderer = BlockVideoRenderer(region: CellRect(columns: 32, rows: 8), options: .init(colors: .palette256))
        var screen = TerminalModel()
        screen.apply(renderer.render(TestFrames.frame(width: 64, height: 32) { _, y in (y / 2) % 2 == 0 ? TestFrames.red : TestFrames.white }))
        #expect(screen.sequences.allSatisfy { !$0.contains("38;2") && !$0.contains("48;2") })
        #expect(screen.cell(0, 0).halves.top == "p196" && screen.cell(0, 0).halves.bottom == "p231")
    }

    @Test func quadrantsSplitACellInTwoColours() {
        // 64x32 into 16x4 cells = 32x8 quadrant pixels (2:1 display): vertical stripes two
        // source pixels wide alternate per grid column: every cell is left half white, right half black.
        let frame = TestFrames.frame(width: 64, height: 32) { x, _ in (x / 2) % 2 == 0 ? TestFrames.white : TestFrames.black }
        let renderer = BlockVideoRenderer(region: CellRect(columns: 16, rows: 4), options: .init(symbols: .quadrants))
        var screen = TerminalModel()
        screen.apply(renderer.render(frame))
        #expect(renderer.fit == ImageFit(x: 0, y: 0, width: 32, height: 8))
        for column in 0 ..< 16 {
            let cell = screen.cell(1, column)
            #expect((cell.character == "▌" && cell.foreground == Self.white && cell.background == Self.black)
                || (cell.character == "▐" && cell.foreground == Self.black && cell.background == Self.white), "\(cell)")
        }
        // One quarter different: the split is that quarter alone.
        #expect(BlockCellBuilder.bestSplit(0xFFFFFF, 0xFFFFFF, 0xFFFFFF, 0x000000) == (7, 0xFFFFFF, 0x000000))
        #expect(BlockCellBuilder.bestSplit(0x102030, 0x102030, 0x102030, 0x102030) == (0, 0x102030, 0x102030))
    }

    @Test func inconsistentOrOddInputNeverTraps() {
        var broken = TestFrames.uniform(width: 64, height: 32, TestFrames.white)
        broken.planes.removeLast(100)
        let renderer = BlockVideoRenderer(region: CellRect(columns: 20, rows: 5))
        var screen = TerminalModel()
        screen.apply(renderer.render(broken))
        #expect(screen.cell(2, 10).halves.top == Self.black)  // drawn black
        // Empty and negative regions draw nothing; huge ones are clamped.
        #expect(BlockVideoRenderer(region: CellRect(columns: 0, rows: 10)).render(TestFrames.uniform(width: 16, height: 16, TestFrames.red)).isEmpty)
        #expect(BlockVideoRenderer(region: CellRect(row: -5, column: -3, columns: -1, rows: 4)).render(TestFrames.uniform(width: 16, height: 16, TestFrames.red)).isEmpty)
        #expect(BlockVideoRenderer(region: CellRect(columns: 1_000_000, rows: 1)).region.columns == CellRect.maximumSide)
        // A frame smaller than the pane is scaled up.
        let tiny = BlockVideoRenderer(region: CellRect(columns: 100, rows: 50))
        _ = tiny.render(TestFrames.uniform(width: 2, height: 2, TestFrames.red))
        #expect(tiny.cells.cell(row: 25, column: 50).top == 0xFF0000)
        // Extreme aspect ratios keep at least one pixel.
        let thin = BlockVideoRenderer(region: CellRect(columns: 10, rows: 10))
        _ = thin.render(TestFrames.uniform(width: 4096, height: 2, TestFrames.red))
        #expect(thin.fit.height == 1)
    }

    @Test func toleranceKeepsNearbyColoursInEffect() {
        // A gradient of one level per two cells: exact colours need a colour change every other cell.
        let gradient = TestFrames.frame(width: 80, height: 16) { x, _ in (100 + x / 4, 128, 128) }
        var exact = TerminalModel()
        exact.apply(BlockVideoRenderer(region: CellRect(columns: 40, rows: 4), options: .init(colorTolerance: 0)).render(gradient))
        var near = TerminalModel()
        near.apply(BlockVideoRenderer(region: CellRect(columns: 40, rows: 4), options: .init(colorTolerance: 4)).render(gradient))
        let exactColours = exact.sequences.filter { $0.contains("48;2") }.count
        let nearColours = near.sequences.filter { $0.contains("48;2") }.count
        #expect(nearColours * 3 < exactColours, "\(nearColours) vs \(exactColours)")
        // Every cell is within the tolerance of the exact picture.
        for key in exact.written {
            let a = exact.cells[key]?.background?.split(separator: ",").compactMap { Int($0) } ?? []
            let b = near.cells[key]?.background?.split(separator: ",").compactMap { Int($0) } ?? []
            #expect(a.count == 3 && b.count == 3 && zip(a, b).allSatisfy { abs($0 - $1) <= 4 })
        }
    }

    @Test func toleranceSkipsSmallChanges() {
        let renderer = BlockVideoRenderer(region: CellRect(columns: 20, rows: 5), options: .init(colorTolerance: 4))
        _ = renderer.render(TestFrames.uniform(width: 40, height: 20, (120, 128, 128)))
        #expect(renderer.render(TestFrames.uniform(width: 40, height: 20, (121, 128, 128))).isEmpty)
        #expect(!renderer.render(TestFrames.uniform(width: 40, height: 20, (140, 128, 128))).isEmpty)
    }

    @Test func occludedCellsAreLeftAloneAndDrawnOnceUncovered() {
        let region = CellRect(row: 1, column: 2, columns: 20, rows: 5)
        let thumbnail = CellRect(row: 4, column: 15, columns: 10, rows: 3)  // reaches past the region
        let renderer = BlockVideoRenderer(region: region)
        renderer.occludedRegion = thumbnail
        var screen = TerminalModel()
        screen.apply(renderer.render(TestFrames.uniform(width: 40, height: 20, TestFrames.red)))
        let hidden = Set((4 ... 5).flatMap { row in (15 ... 21).map { TerminalModel.key(row, $0) } })
        #expect(screen.written.count == 100 - hidden.count)
        #expect(screen.written.isDisjoint(with: hidden))
        // A new picture still skips them; uncovered, exactly they are drawn.
        var second = TerminalModel()
        second.apply(renderer.render(TestFrames.uniform(width: 40, height: 20, TestFrames.blue)))
        #expect(second.written.isDisjoint(with: hidden))
        renderer.occludedRegion = nil
        var uncovered = TerminalModel()
        uncovered.apply(renderer.render(TestFrames.uniform(width: 40, height: 20, TestFrames.blue)))
        #expect(uncovered.written == hidden)
    }

    @Test func preservingTheCursorWrapsTheFrame() {
        let renderer = BlockVideoRenderer(region: CellRect(columns: 4, rows: 2), options: .init(preservesCursor: true))
        let bytes = renderer.render(TestFrames.uniform(width: 16, height: 16, TestFrames.red))
        #expect(bytes.starts(with: TerminalSequences.saveCursor))
        #expect(Array(bytes.suffix(2)) == TerminalSequences.restoreCursor)
    }
}
