/// The main screen's regions for a terminal size:
///
/// ```
/// ┌ title (conversation name, presence, typing) ──────────────┐
/// │ contacts │ conversation (scrollback)                      │
/// │          │ banner (contact request / file offer), if any  │
/// ├ status line (own name, ID, listen address, online, files) ┤
/// └ input (1 row, growing up to `maxInputRows`)                ┘
/// ```
public struct ScreenLayout: Sendable, Equatable {
    /// Below this the screen shows only a "too small" notice.
    public static let minimumColumns = 40
    public static let minimumRows = 10
    public static let maxInputRows = 4

    public var columns: Int
    public var rows: Int
    public var title: Rect
    public var contacts: Rect
    /// The column of the vertical line between contacts and conversation.
    public var dividerColumn: Int
    public var conversation: Rect
    public var banner: Rect
    public var status: Rect
    public var input: Rect

    public var isTooSmall: Bool { columns < Self.minimumColumns || rows < Self.minimumRows }

    /// - Parameters:
    ///   - inputRows: rows the input text wants (clamped to 1…maxInputRows).
    ///   - bannerRows: rows of the inline prompt (0 when none).
    public init(columns: Int, rows: Int, inputRows: Int = 1, bannerRows: Int = 0) {
        self.columns = columns
        self.rows = rows
        let inputHeight = max(1, min(Self.maxInputRows, inputRows, max(1, rows / 4)))
        let contactsWidth = Self.contactListWidth(forColumns: columns)
        title = Rect(row: 0, column: 0, width: columns, height: 1)
        input = Rect(row: rows - inputHeight, column: 0, width: columns, height: inputHeight)
        status = Rect(row: rows - inputHeight - 1, column: 0, width: columns, height: 1)
        let middleTop = 1
        let middleHeight = max(0, status.row - middleTop)
        contacts = Rect(row: middleTop, column: 0, width: contactsWidth, height: middleHeight)
        dividerColumn = contactsWidth
        let conversationColumn = contactsWidth + 1
        let bannerHeight = min(bannerRows, max(0, middleHeight - 3))
        let conversationWidth = columns - conversationColumn
        conversation = Rect(row: middleTop, column: conversationColumn, width: conversationWidth,
                            height: middleHeight - bannerHeight)
        banner = Rect(row: conversation.bottom, column: conversationColumn, width: conversationWidth,
                      height: bannerHeight)
    }

    /// The contact list takes about a fifth of the width: 16 to 28 columns.
    public static func contactListWidth(forColumns columns: Int) -> Int {
        max(14, min(28, columns / 5))
    }
}
