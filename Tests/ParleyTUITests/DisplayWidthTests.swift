import Testing
@testable import ParleyTUI

@Suite("Display width")
struct DisplayWidthTests {
    @Test func asciiIsOneColumnEach() {
        #expect("hello".displayWidth == 5)
    }

    @Test func composedAndDecomposedAccentsAreOneColumn() {
        #expect("é".displayWidth == 1)
        #expect("e\u{301}".displayWidth == 1)
        #expect("e\u{301}".count == 1)
    }

    @Test func cjkAndEmojiAreTwoColumns() {
        #expect("日本".displayWidth == 4)
        #expect("👍".displayWidth == 2)
        #expect("👍🏽".displayWidth == 2)
        #expect("👨‍👩‍👧".displayWidth == 2)
        #expect("🇫🇷".displayWidth == 2)
        #expect("❤️".displayWidth == 2)
    }

    @Test func controlCharactersTakeNoColumn() {
        #expect(DisplayWidth.of(Character("\u{1B}")) == 0)
    }

    @Test func truncationNeverSplitsAWideCharacter() {
        #expect("日本語".prefix(fittingColumns: 3) == "日")
        #expect("日本語".truncated(toColumns: 4) == "日…")
        #expect("abc".truncated(toColumns: 5) == "abc")
        #expect("日本".padded(toColumns: 6) == "日本  ")
    }

    @Test func sanitizingRemovesEscapeSequences() {
        #expect("a\u{1B}[2Jb\u{7}".sanitizedForTerminal() == "a\u{FFFD}[2Jb\u{FFFD}")
        #expect("a\tb".sanitizedForTerminal() == "a b")
    }
}

@Suite("Text wrapping")
struct TextWrapperTests {
    @Test func wrapsAtSpaces() {
        #expect(TextWrapper.wrap("the quick brown fox", width: 10) == ["the quick", "brown fox"])
    }

    @Test func breaksWordsLongerThanTheWidth() {
        #expect(TextWrapper.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    }

    @Test func wideCharactersWrapByColumns() {
        #expect(TextWrapper.wrap("日本語です", width: 5) == ["日本", "語で", "す"])
    }

    @Test func keepsExplicitNewlines() {
        #expect(TextWrapper.wrap("one\ntwo", width: 20) == ["one", "two"])
    }

    @Test func everyLineFits() {
        let text = "Parley 👍 works with 日本語 and é and long words like supercalifragilistic"
        for width in 4...30 {
            for line in TextWrapper.wrap(text, width: width) { #expect(line.displayWidth <= width) }
        }
    }
}
