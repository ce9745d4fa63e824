import Testing
@testable import ParleyTUI

@Suite("Screen layout")
struct ScreenLayoutTests {
    @Test func regionsTileAn80By24Terminal() {
        let layout = ScreenLayout(columns: 80, rows: 24)
        #expect(!layout.isTooSmall)
        #expect(layout.title == Rect(row: 0, column: 0, width: 80, height: 1))
        #expect(layout.input == Rect(row: 23, column: 0, width: 80, height: 1))
        #expect(layout.status == Rect(row: 22, column: 0, width: 80, height: 1))
        #expect(layout.contacts.row == 1 && layout.contacts.bottom == 22)
        #expect(layout.contacts.width + 1 + layout.conversation.width == 80)
        #expect(layout.conversation.column == layout.dividerColumn + 1)
        #expect(layout.conversation.bottom == 22)
    }

    @Test func inputGrowsUpToFourRowsAndTheConversationShrinks() {
        let one = ScreenLayout(columns: 80, rows: 24, inputRows: 1)
        let three = ScreenLayout(columns: 80, rows: 24, inputRows: 3)
        let many = ScreenLayout(columns: 80, rows: 24, inputRows: 12)
        #expect(three.input.height == 3)
        #expect(many.input.height == ScreenLayout.maxInputRows)
        #expect(three.conversation.height == one.conversation.height - 2)
    }

    @Test func bannerRowsComeOutOfTheConversation() {
        let layout = ScreenLayout(columns: 100, rows: 30, bannerRows: 2)
        #expect(layout.banner.height == 2)
        #expect(layout.banner.row == layout.conversation.bottom)
        #expect(layout.banner.bottom == layout.status.row)
    }

    @Test func contactListWidthFollowsTheTerminal() {
        #expect(ScreenLayout.contactListWidth(forColumns: 80) == 16)
        #expect(ScreenLayout.contactListWidth(forColumns: 200) == 28)
        #expect(ScreenLayout.contactListWidth(forColumns: 40) == 14)
    }

    @Test func tinyTerminalsAreReported() {
        #expect(ScreenLayout(columns: 30, rows: 24).isTooSmall)
        #expect(ScreenLayout(columns: 80, rows: 5).isTooSmall)
    }
}

@Suite("Scrollback")
struct ScrollbackTests {
    @Test func followsTheEndByDefault() {
        let scrollback = Scrollback()
        #expect(scrollback.visibleRange(totalLines: 100, height: 10) == 90..<100)
        #expect(scrollback.visibleRange(totalLines: 4, height: 10) == 0..<4)
    }

    @Test func pagesUpAndDownWithOneLineOfOverlap() {
        var scrollback = Scrollback()
        scrollback.pageUp(totalLines: 100, height: 10)
        #expect(scrollback.visibleRange(totalLines: 100, height: 10) == 81..<91)
        scrollback.pageUp(totalLines: 100, height: 10)
        #expect(scrollback.visibleRange(totalLines: 100, height: 10) == 72..<82)
        scrollback.pageDown(totalLines: 100, height: 10)
        scrollback.pageDown(totalLines: 100, height: 10)
        #expect(scrollback.isAtBottom)
        scrollback.pageDown(totalLines: 100, height: 10)
        #expect(scrollback.isAtBottom)
    }

    @Test func stopsAtTheTop() {
        var scrollback = Scrollback()
        for _ in 0..<50 { scrollback.pageUp(totalLines: 25, height: 10) }
        #expect(scrollback.visibleRange(totalLines: 25, height: 10) == 0..<10)
        #expect(scrollback.isAtTop(totalLines: 25, height: 10))
    }

    @Test func keepsTheViewWhenLinesArriveWhileScrolledUp() {
        var scrollback = Scrollback()
        scrollback.pageUp(totalLines: 100, height: 10)
        let before = scrollback.visibleRange(totalLines: 100, height: 10)
        scrollback.linesAppended(5)
        #expect(scrollback.visibleRange(totalLines: 105, height: 10) == before)
    }

    @Test func revealsALine() {
        var scrollback = Scrollback()
        scrollback.reveal(line: 20, totalLines: 100, height: 9)
        #expect(scrollback.visibleRange(totalLines: 100, height: 9).contains(20))
    }

    @Test func shrinkingTheViewportKeepsTheRangeValid() {
        var scrollback = Scrollback()
        scrollback.scroll(by: 1000, totalLines: 50, height: 20)
        #expect(scrollback.visibleRange(totalLines: 50, height: 5) == 15..<20)
        #expect(scrollback.visibleRange(totalLines: 50, height: 60) == 0..<50)
    }
}
