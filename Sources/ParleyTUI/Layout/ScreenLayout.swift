/// The main screen's regions for a terminal size:
///
/// ```
/// ┌ title (conversation name, presence, typing) ──────────────┐
/// ├ call bar (a call ringing or going on) ────────────────────┤
/// │ contacts │ video pane (a video call, when there is room)  │
/// │          │ conversation (scrollback)                      │
/// │          │ banner (contact request / file offer), if any  │
/// ├ status line (own name, ID, listen address, online, files) ┤
/// └ input (1 row, growing up to `maxInputRows`)                ┘
/// ```
public struct ScreenLayout: Sendable, Equatable {
    /// Below this the screen shows only a "too small" notice.
    public static let minimumColumns = 40
    public static let minimumRows = 10
    public static let maxInputRows = 4
    /// A video pane needs this many rows, and leaves the conversation at least `minimumConversationRows`.
    public static let minimumVideoRows = 6
    public static let minimumConversationRows = 4

    public var columns: Int
    public var rows: Int
    public var title: Rect
    public var contacts: Rect
    /// The column of the vertical line between contacts and conversation.
    public var dividerColumn: Int
    /// The peer's video during a video call (empty otherwise, or when the screen is too short).
    public var video: Rect
    /// The call's one-row bar (empty without a call).
    public var callBar: Rect
    public var conversation: Rect
    public var banner: Rect
    public var status: Rect
    public var input: Rect

    public var isTooSmall: Bool { columns < Self.minimumColumns || rows < Self.minimumRows }

    /// - Parameters:
    ///   - inputRows: rows the input text wants (clamped to 1…maxInputRows).
    ///   - bannerRows: rows of the inline prompt (0 when none).
    ///   - hasCall: a call rings or goes on: one row for its bar under the title.
    ///   - wantsVideo: the call has video to show: a pane above the conversation, about three
    ///     fifths of its height, when the screen has room for it (else the bar alone).
    public init(columns: Int, rows: Int, inputRows: Int = 1, bannerRows: Int = 0, hasCall: Bool = false,
                wantsVideo: Bool = false) {
        self.columns = columns
        self.rows = rows
        let inputHeight = max(1, min(Self.maxInputRows, inputRows, max(1, rows / 4)))
        let contactsWidth = Self.contactListWidth(forColumns: columns)
        title = Rect(row: 0, column: 0, width: columns, height: 1)
        input = Rect(row: rows - inputHeight, column: 0, width: columns, height: inputHeight)
        status = Rect(row: rows - inputHeight - 1, column: 0, width: columns, height: 1)
        let barHeight = hasCall && status.row >= 3 ? 1 : 0
        callBar = Rect(row: 1, column: 0, width: barHeight > 0 ? columns : 0, height: barHeight)
        let middleTop = 1 + barHeight
        let middleHeight = max(0, status.row - middleTop)
        contacts = Rect(row: middleTop, column: 0, width: contactsWidth, height: middleHeight)
        dividerColumn = contactsWidth
        let conversationColumn = contactsWidth + 1
        let conversationWidth = columns - conversationColumn
        let spare = middleHeight - Self.minimumConversationRows
        let videoHeight = wantsVideo && barHeight == 1 && spare >= Self.minimumVideoRows
            ? max(Self.minimumVideoRows, min(spare, middleHeight * 3 / 5)) : 0
        video = Rect(row: middleTop, column: conversationColumn, width: videoHeight > 0 ? conversationWidth : 0,
                     height: videoHeight)
        let talkTop = middleTop + videoHeight
        let talkHeight = middleHeight - videoHeight
        let bannerHeight = min(bannerRows, max(0, talkHeight - 3))
        conversation = Rect(row: talkTop, column: conversationColumn, width: conversationWidth,
                            height: talkHeight - bannerHeight)
        banner = Rect(row: conversation.bottom, column: conversationColumn, width: conversationWidth,
                      height: bannerHeight)
    }

    /// The contact list takes about a fifth of the width: 16 to 28 columns.
    public static func contactListWidth(forColumns columns: Int) -> Int {
        max(14, min(28, columns / 5))
    }
}
