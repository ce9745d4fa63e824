/// The whole screen put together from its parts; draws on any canvas, so a
/// test can render it to text at 80×24 without a terminal.
public struct MainScreen: Sendable {
    public var title: BarView
    public var contactList: ContactListView
    public var conversation: ConversationView
    /// A panel drawn over the conversation, if one is open.
    public var panel: PanelView?
    /// Inline prompt and notice rows under the conversation.
    public var banner: [StyledLine]
    public var status: BarView
    public var input: InputView
    /// The call's bar, while a call rings or goes on.
    public var callBar: BarView?
    /// Whether the call has video to show in a pane (the layout decides whether it fits).
    public var wantsVideoPane = false
    /// Words in the video pane while no picture is drawn there (the picture itself is drawn
    /// outside curses, over the blank pane).
    public var videoPlaceholder: [StyledLine] = []

    public init(title: BarView, contactList: ContactListView, conversation: ConversationView, panel: PanelView?,
                banner: [StyledLine], status: BarView, input: InputView) {
        self.title = title
        self.contactList = contactList
        self.conversation = conversation
        self.panel = panel
        self.banner = banner
        self.status = status
        self.input = input
    }

    /// The regions for this terminal size, given what the input and the banner need.
    public func layout(columns: Int, rows: Int) -> ScreenLayout {
        let bannerWidth = columns - ScreenLayout.contactListWidth(forColumns: columns) - 2
        return ScreenLayout(columns: columns, rows: rows, inputRows: input.rowsNeeded(width: columns),
                            bannerRows: wrappedBanner(width: bannerWidth).count, hasCall: callBar != nil, wantsVideo: wantsVideoPane)
    }

    /// The banner's lines wrapped to its width (a prompt is read whole, not cut).
    func wrappedBanner(width: Int) -> [StyledLine] {
        banner.flatMap { $0.wrapped(width: width) }
    }

    /// Draws everything; returns where the cursor goes.
    @discardableResult
    public func draw(on canvas: any Canvas, layout: ScreenLayout) -> (row: Int, column: Int)? {
        if layout.isTooSmall {
            for row in 0..<canvas.rows { canvas.fill(row: row, column: 0, width: canvas.columns, role: .normal) }
            canvas.put("Parley needs at least \(ScreenLayout.minimumColumns)×\(ScreenLayout.minimumRows)",
                       row: 0, column: 0, role: .warning, maxColumns: canvas.columns)
            canvas.put("(now \(layout.columns)×\(layout.rows))", row: 1, column: 0, role: .dim,
                       maxColumns: canvas.columns)
            return nil
        }
        title.draw(on: canvas, in: layout.title)
        contactList.draw(on: canvas, in: layout.contacts)
        for row in layout.contacts.row..<layout.contacts.bottom {
            canvas.put("│", row: row, column: layout.dividerColumn, role: .separator, maxColumns: 1)
        }
        let video = layout.video
        for row in video.row..<video.bottom {
            canvas.fill(row: row, column: video.column, width: video.width, role: .normal)
        }
        for (index, line) in videoPlaceholder.prefix(video.height).enumerated() {
            canvas.put(line, row: video.row + (video.height - videoPlaceholder.count) / 2 + index, column: video.column + 2,
                       maxColumns: video.width - 2)
        }
        if let callBar { callBar.draw(on: canvas, in: layout.callBar) }
        if let panel {
            let area = Rect(row: layout.conversation.row, column: layout.conversation.column,
                            width: layout.conversation.width, height: layout.conversation.height + layout.banner.height)
            panel.draw(on: canvas, in: area)
        } else {
            conversation.draw(on: canvas, in: layout.conversation)
            for (index, line) in wrappedBanner(width: layout.banner.width - 1).prefix(layout.banner.height).enumerated() {
                let row = layout.banner.row + index
                canvas.fill(row: row, column: layout.banner.column, width: layout.banner.width, role: .normal)
                canvas.put(line, row: row, column: layout.banner.column + 1, maxColumns: layout.banner.width - 1)
            }
        }
        status.draw(on: canvas, in: layout.status)
        return input.draw(on: canvas, in: layout.input)
    }
}
