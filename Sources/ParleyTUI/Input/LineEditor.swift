/// The text being typed, edited by grapheme cluster: the cursor never lands
/// inside `é` written as `e` + U+0301, inside a CJK character or an emoji
/// sequence. Pure value type; the view draws it, `InputLayout` places it.
public struct LineEditor: Sendable, Equatable {
    /// The text, one grapheme cluster per element (may contain newlines from a paste).
    public private(set) var characters: [Character] = []
    /// Cursor position: the index of the cluster it stands before.
    public private(set) var cursor: Int = 0
    /// The last text cut with Ctrl-K/U/W, pasted back with Ctrl-Y.
    public private(set) var killBuffer: String = ""

    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }

    /// Replaces everything, cursor at the end.
    public mutating func setText(_ text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    /// Inserts typed or pasted text at the cursor. A combining mark joins the
    /// cluster before it, as it would on paper.
    public mutating func insert(_ inserted: String) {
        guard !inserted.isEmpty else { return }
        let after = String(characters[cursor...])
        let joined = String(characters[..<cursor]) + inserted + after
        characters = Array(joined)
        // Counting from the end keeps the cursor right after the typed text even
        // when a combining mark merged into the cluster before it.
        cursor = max(0, characters.count - after.count)
    }

    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    public mutating func moveRight() { cursor = min(characters.count, cursor + 1) }
    public mutating func moveHome() { cursor = 0 }
    public mutating func moveEnd() { cursor = characters.count }

    /// Deletes the cluster before the cursor (Backspace).
    public mutating func backspace() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Deletes the cluster under the cursor (Delete).
    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    /// Ctrl-K: cuts from the cursor to the end.
    public mutating func killToEnd() {
        guard cursor < characters.count else { return }
        killBuffer = String(characters[cursor...])
        characters.removeSubrange(cursor...)
    }

    /// Ctrl-U: cuts from the start to the cursor.
    public mutating func killToStart() {
        guard cursor > 0 else { return }
        killBuffer = String(characters[..<cursor])
        characters.removeSubrange(..<cursor)
        cursor = 0
    }

    /// Ctrl-W: cuts the word before the cursor (and the spaces after it).
    public mutating func killWordBackward() {
        let start = wordStart(before: cursor)
        guard start < cursor else { return }
        killBuffer = String(characters[start..<cursor])
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Alt-D: cuts the word after the cursor.
    public mutating func killWordForward() {
        let end = wordEnd(after: cursor)
        guard end > cursor else { return }
        killBuffer = String(characters[cursor..<end])
        characters.removeSubrange(cursor..<end)
    }

    /// Ctrl-Y: pastes the last cut text.
    public mutating func yank() { insert(killBuffer) }

    /// Alt-B / Ctrl-Left.
    public mutating func moveWordLeft() { cursor = wordStart(before: cursor) }
    /// Alt-F / Ctrl-Right.
    public mutating func moveWordRight() { cursor = wordEnd(after: cursor) }

    /// Empties the line and returns what it held.
    public mutating func take() -> String {
        let taken = text
        characters = []
        cursor = 0
        return taken
    }

    private func isWordCharacter(_ character: Character) -> Bool {
        !(character.isWhitespace || character.isPunctuation || character.isSymbol) || character.isEmojiLike
    }

    private func wordStart(before position: Int) -> Int {
        var index = position
        while index > 0, !isWordCharacter(characters[index - 1]) { index -= 1 }
        while index > 0, isWordCharacter(characters[index - 1]) { index -= 1 }
        return index
    }

    private func wordEnd(after position: Int) -> Int {
        var index = position
        while index < characters.count, !isWordCharacter(characters[index]) { index += 1 }
        while index < characters.count, isWordCharacter(characters[index]) { index += 1 }
        return index
    }
}

extension Character {
    /// Emoji count as word characters for word motion.
    var isEmojiLike: Bool { unicodeScalars.first?.properties.isEmojiPresentation ?? false }
}
