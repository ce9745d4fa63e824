import Testing
@testable import ParleyTUI

@Suite("Line editor")
struct LineEditorTests {
    @Test func insertsAndMovesByGraphemeCluster() {
        var editor = LineEditor()
        editor.insert("a日👍🏽b")
        #expect(editor.cursor == 4)
        editor.moveLeft()
        editor.moveLeft()
        #expect(editor.cursor == 2)
        editor.backspace()  // removes 日 whole
        #expect(editor.text == "a👍🏽b")
        editor.deleteForward()  // removes the emoji with its skin tone
        #expect(editor.text == "ab")
    }

    @Test func aCombiningMarkTypedAfterItsLetterJoinsIt() {
        var editor = LineEditor()
        editor.insert("cafe")
        editor.insert("\u{301}")
        #expect(editor.characters.count == 4)
        #expect(editor.cursor == 4)
        editor.backspace()
        #expect(editor.text == "caf")
    }

    @Test func insertsInTheMiddle() {
        var editor = LineEditor("日本")
        editor.moveHome()
        editor.moveRight()
        editor.insert("é")
        #expect(editor.text == "日é本")
        #expect(editor.cursor == 2)
    }

    @Test func killAndYank() {
        var editor = LineEditor("hello brave world")
        editor.killWordBackward()
        #expect(editor.text == "hello brave ")
        editor.yank()
        #expect(editor.text == "hello brave world")
        editor.moveHome()
        editor.moveWordRight()
        editor.killToEnd()
        #expect(editor.text == "hello")
        #expect(editor.killBuffer == " brave world")
        editor.killToStart()
        #expect(editor.text.isEmpty)
    }

    @Test func wordMotionSkipsPunctuationAndSpaces() {
        var editor = LineEditor("one, two 日本")
        editor.moveWordLeft()
        #expect(editor.cursor == 9)
        editor.moveWordLeft()
        #expect(editor.cursor == 5)
        editor.moveHome()
        editor.moveWordRight()
        #expect(editor.cursor == 3)
        editor.killWordForward()
        #expect(editor.text == "one 日本")
    }

    @Test func takeEmptiesTheLine() {
        var editor = LineEditor("line one\nline two")
        #expect(editor.take() == "line one\nline two")
        #expect(editor.isEmpty && editor.cursor == 0)
    }
}

@Suite("Input history")
struct InputHistoryTests {
    @Test func browsesBackAndForthAndRestoresTheDraft() {
        var history = InputHistory()
        history.record("first")
        history.record("second")
        history.record("second")
        #expect(history.entries == ["first", "second"])
        #expect(history.older(current: "draft") == "second")
        #expect(history.older(current: "second") == "first")
        #expect(history.older(current: "first") == nil)
        #expect(history.newer() == "second")
        #expect(history.newer() == "draft")
        #expect(history.newer() == nil)
    }
}

@Suite("Input layout")
struct InputLayoutTests {
    @Test func cursorColumnCountsWideCharactersTwice() {
        let layout = InputLayout(editor: LineEditor("日本👍é"), width: 40, maxRows: 4)
        #expect(layout.rows == ["日本👍é"])
        #expect(layout.cursorColumn == 7)
    }

    @Test func aWideCharacterThatDoesNotFitMovesToTheNextRow() {
        let layout = InputLayout(editor: LineEditor("abcd日"), width: 5, maxRows: 4)
        #expect(layout.rows == ["abcd", "日"])
        #expect(layout.cursorRow == 1 && layout.cursorColumn == 2)
    }

    @Test func growsWithTheTextThenScrollsToTheCursor() {
        let editor = LineEditor(String(repeating: "x", count: 50))
        #expect(InputLayout.rowsNeeded(editor: editor, width: 10, maxRows: 4) == 4)
        let layout = InputLayout(editor: editor, width: 10, maxRows: 4)
        #expect(layout.rows.count == 4)
        #expect(layout.cursorRow == 3)  // the last row, where the cursor is
        #expect(layout.cursorColumn == 0)
    }

    @Test func pastedNewlinesStartRows() {
        var editor = LineEditor("one\ntwo")
        editor.moveHome()
        let layout = InputLayout(editor: editor, width: 20, maxRows: 4)
        #expect(layout.rows == ["one", "two"])
        #expect(layout.cursorRow == 0 && layout.cursorColumn == 0)
    }
}
