import CNCursesW
import Foundation
import Testing
@testable import ParleyTUI

/// What is handed to ncurses takes exactly the cells the layout planned.
@Suite("Cells handed to ncurses")
struct CursesCellTests {
    init() {
        setlocale(LC_ALL, "C.UTF-8")
    }

    func cursesWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + max(0, Int(parley_wcwidth($1.value))) }
    }

    @Test(arguments: ["hello", "café", "日本", "👍", "👨‍👩‍👧", "❤️", "🇫🇷", "e\u{301}", "a👨‍👩‍👧b❤️c"])
    func widthsAgreeWithTheLayout(text: String) {
        let drawn = CursesScreen.cellsAgreeingWithCurses(text)
        #expect(cursesWidth(drawn) == text.displayWidth, "\(text) → \(drawn.unicodeScalars.map { $0.value })")
    }

    /// On a terminal that joins emoji sequences, a family goes whole into one cell (ncurses
    /// sends all of a cell's scalars); text around it keeps its columns; a sequence longer
    /// than a cell holds falls back to its first emoji.
    @Test func emojiSequencesGoWholeIntoOneCellWhenTheTerminalJoinsThem() {
        let family = "👨‍👩‍👧", longer = "👨‍👩‍👧‍👦"
        let segments = CursesScreen.segments("a" + family + "b", joiningEmojiSequences: true)
        #expect(segments == [.text("a", columns: 1), .cluster(Array(family.unicodeScalars)), .text("b", columns: 1)])
        let fallback = CursesScreen.segments(longer + "!", joiningEmojiSequences: true)
        #expect(fallback.count == 1 && cursesWidth(CursesScreen.cellsAgreeingWithCurses(longer + "!")) == 3)
        #expect(CursesScreen.segments(family, joiningEmojiSequences: false)
            == [.text(CursesScreen.cellsAgreeingWithCurses(family), columns: 2)])
    }

    @Test func plainTextIsUntouched() {
        #expect(CursesScreen.cellsAgreeingWithCurses("Hi bob: é 日本 👍 ok") == "Hi bob: é 日本 👍 ok")
    }
}

@Suite("Palette colours on direct-colour terminals")
struct DirectPaletteTests {
    @Test func paletteNumbersBecomeTheirRGBValue() {
        #expect(ColorSpec.palette(208).terminalColor(for: .direct) == 0xFF8700)
        #expect(ColorSpec.palette(9).terminalColor(for: .direct) == 0xFF0000)
        #expect(ColorSpec.palette(244).terminalColor(for: .direct) == 0x808080)
        #expect(ColorSpec.palette(3).terminalColor(for: .direct) == 3)
        #expect(ColorSpec.palette(208).terminalColor(for: .palette256) == 208)
    }
}
