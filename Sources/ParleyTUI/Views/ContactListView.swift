import ParleyCore

/// The left column: pending requests at the top, then contacts with a
/// presence dot and their unread count. Scrolls to keep the selection visible.
public struct ContactListView: Sendable {
    /// One entry of the list.
    public struct Entry: Sendable, Equatable {
        public var key: ConversationKey
        public var name: String
        public var online: Bool
        public var unread: Int
        public var blocked: Bool
        /// This contact's call rings here.
        public var ringing: Bool

        public init(key: ConversationKey, name: String, online: Bool = false, unread: Int = 0, blocked: Bool = false,
                    ringing: Bool = false) {
            self.key = key
            self.name = name
            self.online = online
            self.unread = unread
            self.blocked = blocked
            self.ringing = ringing
        }

        var isRequest: Bool { if case .request = key { true } else { false } }
    }

    public var entries: [Entry]
    public var selected: ConversationKey?

    public init(entries: [Entry], selected: ConversationKey?) {
        self.entries = entries
        self.selected = selected
    }

    /// The rows to draw: section headings and entries.
    enum Row: Equatable {
        case heading(String)
        case entry(Entry)
    }

    var rowsToDraw: [Row] {
        var rows: [Row] = []
        let requests = entries.filter(\.isRequest)
        if !requests.isEmpty {
            rows.append(.heading("Requests"))
            rows += requests.map(Row.entry)
        }
        rows.append(.heading("Contacts"))
        rows += entries.filter { !$0.isRequest }.map(Row.entry)
        return rows
    }

    public func draw(on canvas: any Canvas, in rect: Rect) {
        let rows = rowsToDraw
        let selectedRow = rows.firstIndex { if case .entry(let entry) = $0 { entry.key == selected } else { false } } ?? 0
        let first = max(0, min(selectedRow - rect.height + 2, rows.count - rect.height))
        for line in 0..<rect.height {
            let screenRow = rect.row + line
            canvas.fill(row: screenRow, column: rect.column, width: rect.width, role: .normal)
            let index = first + line
            guard index < rows.count else { continue }
            switch rows[index] {
            case .heading(let title):
                canvas.put(" " + title, row: screenRow, column: rect.column, role: .dim, maxColumns: rect.width)
            case .entry(let entry):
                drawEntry(entry, on: canvas, row: screenRow, rect: rect)
            }
        }
        if entries.filter({ !$0.isRequest }).isEmpty, rows.count + 2 < rect.height {
            canvas.put("  (none yet)", row: rect.row + rows.count, column: rect.column, role: .dim,
                       maxColumns: rect.width)
        }
    }

    private func drawEntry(_ entry: Entry, on canvas: any Canvas, row: Int, rect: Rect) {
        let isSelected = entry.key == selected
        let base: TextRole = isSelected ? .selection : .normal
        if isSelected { canvas.fill(row: row, column: rect.column, width: rect.width, role: .selection) }
        let dot: StyledSpan
        if entry.ringing {
            dot = StyledSpan("☎", isSelected ? .selection : .warning)
        } else if entry.isRequest {
            dot = StyledSpan("⚑", isSelected ? .selection : .warning)
        } else if entry.blocked {
            dot = StyledSpan("⊘", isSelected ? .selection : .dim)
        } else {
            dot = entry.online ? StyledSpan("●", isSelected ? .selection : .online)
                               : StyledSpan("○", isSelected ? .selection : .offline)
        }
        let count = entry.unread > 0 ? (entry.unread > 999 ? "999+" : "\(entry.unread)") : ""
        let nameColumns = max(1, rect.width - 3 - (count.isEmpty ? 1 : count.displayWidth + 2))
        let nameRole: TextRole = isSelected ? .selection
            : (entry.ringing ? .warning : (entry.unread > 0 ? .unread : (entry.blocked ? .dim : base)))
        var column = rect.column + 1
        column += canvas.put(dot.text, row: row, column: column, role: dot.role, maxColumns: 1)
        column += 1
        canvas.put(entry.name.truncated(toColumns: nameColumns), row: row, column: column, role: nameRole,
                   maxColumns: nameColumns)
        if !count.isEmpty {
            canvas.put(count, row: row, column: rect.right - count.displayWidth - 1,
                       role: isSelected ? .selection : .unread, maxColumns: count.displayWidth)
        }
    }
}
