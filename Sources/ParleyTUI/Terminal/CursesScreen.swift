import CNCursesW
import Foundation

/// The terminal in curses mode: starts and restores it, draws text by
/// display columns and reads keys. Used from one thread only (the UI loop).
final class CursesScreen: Canvas {
    private var palette: CursesPalette?
    private(set) var colorDepth: ColorDepth = .none
    private var keyReader = CursesKeyReader()
    private var started = false

    var rows: Int { size.rows }
    var columns: Int { size.columns }

    private var size: (rows: Int, columns: Int) {
        var rows: Int32 = 0, columns: Int32 = 0
        parley_screen_size(&rows, &columns)
        return (Int(rows), Int(columns))
    }

    /// Enters curses mode: UTF-8 locale, raw keys, no echo, colours as the terminal allows.
    func start(theme: Theme, environment: [String: String]) {
        setlocale(LC_ALL, "")
        if parley_locale_is_utf8() == 0 {
            // Without a UTF-8 locale ncursesw cannot draw or read wide characters.
            _ = setlocale(LC_CTYPE, "C.UTF-8") ?? setlocale(LC_CTYPE, "en_US.UTF-8")
        }
        set_escdelay(25)
        initscr()
        raw()
        noecho()
        nonl()
        parley_configure_keys()
        // No insert/delete-line scrolling: it would move the pictures drawn outside curses.
        parley_disable_line_scrolling()
        let hasColors = has_colors()
        if hasColors && environment["NO_COLOR"].map({ $0.isEmpty }) ?? true {
            start_color()
            use_default_colors()
        }
        colorDepth = ColorDepth.detect(colors: Int(parley_color_count()), hasColors: hasColors, environment: environment)
        palette = CursesPalette(theme: theme, depth: colorDepth)
        keyReader.bindExtendedKeys()
        writeRaw("\u{1B}[?2004h")  // bracketed paste: a paste arrives as one piece, newlines included
        writeRaw("\u{1B}[22;0t")   // keep the terminal's title, to give it back at the end
        started = true
    }

    /// Leaves curses mode and gives the terminal back as it was.
    func stop() {
        guard started else { return }
        started = false
        writeRaw("\u{1B}[?2004l")
        writeRaw("\u{1B}[23;0t")   // the terminal's own title again
        endwin()
    }

    /// Waits up to `timeoutMilliseconds` for input, then returns everything typed so far.
    func readKeys(timeoutMilliseconds: Int32) -> [KeyInput] {
        keyReader.read(timeoutMilliseconds: timeoutMilliseconds)
    }

    func clear() { erase() }

    /// Forces a full repaint on the next refresh (Ctrl-L).
    func invalidate() { parley_clear_on_next_refresh() }

    /// Shows the frame drawn since `clear()`, the cursor at (row, column) or hidden.
    func present(cursor: (row: Int, column: Int)?) {
        if let cursor {
            curs_set(1)
            move(Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        refresh()
    }

    func bell() { beep() }

    /// The terminal window's title (tmux shows it as the pane title): control characters removed.
    func setTitle(_ title: String) {
        writeRaw("\u{1B}]2;" + title.sanitizedForTerminal().filter { $0 != "\u{1B}" && $0 != "\u{07}" } + "\u{07}")
    }

    /// Writes bytes (a picture) straight to the terminal after curses' refresh, the cursor
    /// and attributes saved before and restored after, so curses' idea of the screen holds.
    func writeOverCurses(_ bytes: [UInt8]) {
        writeAll([0x1B, 0x37] + bytes + [0x1B, 0x38])  // between DECSC and DECRC
    }

    /// Whether the terminal went away (window closed, tmux killed): input reports a hang-up.
    func terminalHungUp() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    @discardableResult
    func put(_ text: String, row: Int, column: Int, role: TextRole, maxColumns: Int) -> Int {
        let size = self.size
        guard row >= 0, row < size.rows, column >= 0, column < size.columns, maxColumns > 0 else { return 0 }
        let limit = min(maxColumns, size.columns - column)
        let fitted = text.sanitizedForTerminal().prefix(fittingColumns: limit)
        guard !fitted.isEmpty else { return 0 }
        palette?.apply(role)
        var at = column
        for segment in Self.segments(fitted, joiningEmojiSequences: joinsEmojiSequences) {
            switch segment {
            case .text(let text, let columns):
                var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
                wide.append(0)
                let count = Int32(wide.count - 1)
                _ = wide.withUnsafeBufferPointer { parley_put_wide(Int32(row), Int32(at), $0.baseAddress, count) }
                at += columns
            case .cluster(let scalars):
                let wide = scalars.map { wchar_t(bitPattern: $0.value) }
                _ = wide.withUnsafeBufferPointer { parley_put_cluster(Int32(row), Int32(at), $0.baseAddress, Int32(wide.count)) }
                at += 2
            }
        }
        palette?.apply(.normal)
        return fitted.displayWidth
    }

    /// Whether the terminal draws an emoji ZWJ sequence as one two-cell picture (asked at start):
    /// then such a sequence goes whole into one cell instead of its first emoji alone.
    var joinsEmojiSequences = false

    /// A piece of a line as handed to ncurses.
    enum Segment: Equatable {
        /// Text whose cells ncurses counts as the layout does, and how many columns it takes.
        case text(String, columns: Int)
        /// An emoji sequence put whole into one two-cell cell.
        case cluster([Unicode.Scalar])
    }

    /// The line in pieces: emoji ZWJ sequences that fit in a cell go whole into one when the
    /// terminal joins them; everything else as ``cellsAgreeingWithCurses(_:)`` rewrites it.
    static func segments(_ text: some StringProtocol, joiningEmojiSequences: Bool) -> [Segment] {
        guard joiningEmojiSequences else {
            return [.text(cellsAgreeingWithCurses(text), columns: DisplayWidth.of(text))]
        }
        var segments: [Segment] = []
        var run = ""
        for character in text {
            let scalars = Array(character.unicodeScalars)
            let joined = scalars.count > 1 && scalars.count <= Int(parley_cell_scalars())
                && scalars.contains { $0.value == 0x200D } && DisplayWidth.of(character) == 2
                && parley_wcwidth(scalars[0].value) == 2
            if joined {
                if !run.isEmpty { segments.append(.text(cellsAgreeingWithCurses(run), columns: run.displayWidth)) }
                run = ""
                segments.append(.cluster(scalars))
            } else {
                run.append(character)
            }
        }
        if !run.isEmpty { segments.append(.text(cellsAgreeingWithCurses(run), columns: run.displayWidth)) }
        return segments
    }

    /// Rewrites grapheme clusters whose width ncurses would count differently
    /// from the layout (emoji ZWJ sequences, variation selectors) so both
    /// agree cell for cell: the leading scalars that fit, padded with spaces.
    /// Without this, a family emoji would take six cells where two were laid out.
    static func cellsAgreeingWithCurses(_ text: some StringProtocol) -> String {
        var result = String.UnicodeScalarView()
        for character in text {
            let layoutWidth = String(character).displayWidth
            let scalars = character.unicodeScalars
            let cursesWidth = scalars.reduce(0) { $0 + max(0, Int(parley_wcwidth($1.value))) }
            if cursesWidth == layoutWidth {
                result.append(contentsOf: scalars)
                continue
            }
            var used = 0
            for scalar in scalars {
                let width = max(0, Int(parley_wcwidth(scalar.value)))
                if width == 0 || used + width > layoutWidth { continue }
                result.append(scalar)
                used += width
            }
            result.append(contentsOf: String(repeating: " ", count: layoutWidth - used).unicodeScalars)
        }
        return String(result)
    }

    func fill(row: Int, column: Int, width: Int, role: TextRole) {
        let size = self.size
        guard row >= 0, row < size.rows, column < size.columns else { return }
        palette?.apply(role)
        parley_blank(Int32(row), Int32(column), Int32(min(width, size.columns - column)))
        palette?.apply(.normal)
    }

    private func writeRaw(_ text: String) {
        writeAll(Array(text.utf8))
    }

    /// Writes bytes straight to the terminal, after what stdio holds, all of them (a write may
    /// take only part).
    private func writeAll(_ bytes: [UInt8]) {
        fflush(nil)
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(STDOUT_FILENO, base + offset, buffer.count - offset)
                if written > 0 { offset += written } else if errno != EINTR && errno != EAGAIN { return }
            }
        }
    }
}
