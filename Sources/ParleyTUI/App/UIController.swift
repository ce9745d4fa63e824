import Foundation
import ParleyCore
import ParleyNode
import ParleyStore

/// The terminal UI's state and loop. Lives on one thread (curses is not
/// thread-safe): keys are read with a short timeout, node events arrive
/// through the inbox, and the screen is redrawn when something changed.
final class UIController {
    let node: any NodeAPI
    let inbox: UIInbox
    let settings: UISettings
    let screen = CursesScreen()
    var database: ParleyDatabase { node.profile.database }
    var contactService: ContactService {
        ContactService(database: node.profile.database, ownID: node.profile.identity.contactID)
    }

    // Contacts and conversations
    var contacts: [Contact] = []
    var requests: [PendingContactRequest] = []
    var unread: [ContactID: Int] = [:]
    var online: Set<ContactID> = []
    var typingPeers: [ContactID: Date] = [:]
    var selection: ConversationKey?
    /// The loaded window of the open conversation, oldest first: the newest
    /// page at first, older pages added above (PageUp at the top), a window
    /// around a search hit after a jump. Pages go by key (the first or last
    /// message loaded), never by offset.
    var messages: [Message] = []
    /// Whether `messages` reaches the newest message (new ones are added as
    /// they arrive); false after a jump back in history until PageDown gets there.
    var windowAtEnd = true
    /// Messages that arrived below the view while it was scrolled up (shown as a marker).
    var newBelow = 0
    var scrollback = Scrollback()
    var highlighted: UUID?
    /// Prompts put aside with Esc (by `Prompt.dismissalKey`).
    var dismissedPrompts: Set<String> = []
    /// Calls: the call ringing or going on (as last read), when it was read and polled,
    /// the last ring of the bell, the last tick of the bar's clock, missed calls not seen yet,
    /// and the video pane's drawing state.
    var call: CallStatus?
    var callFetchedAt = Date.distantPast
    var callPolledAt = Date.distantPast
    var lastRingAt = Date.distantPast
    var lastCallBarTick = Date.distantPast
    var missedCalls: [ContactID: Int] = [:]
    /// Contacts broadcasting to us now (their names), from their announcements.
    var broadcasters: [ContactID: String] = [:]
    let videoPane = VideoPane()
    var lastPlaceholderShown = false
    /// The terminal title last set (Parley, the unread count, a call).
    var lastTitle = ""
    /// The calls with the open contact in the loaded window, shown among its messages.
    var conversationCalls: [CallRecord] = []
    /// The file transfers with the open contact offered in the loaded window, shown among its
    /// messages in their current state.
    var conversationTransfers: [Transfer] = []
    /// A contact `/remove` asks about (Alt-Y removes with the history, Alt-K keeps the history,
    /// Alt-N or Esc cancels).
    var pendingRemoval: Contact?
    var transfers: [Transfer] = []
    var transferRates: [UUID: Double] = [:]
    var lastTransferReload = Date.distantPast

    // Input
    var editor = LineEditor()
    /// The drafts and scroll positions of the conversations not open.
    var conversationDrafts: [ConversationKey: ConversationDraft] = [:]
    var inputHistory = InputHistory()
    var panel: Panel? {
        didSet { if panel == nil, oldValue != nil { markReadIfVisible() } }
    }
    var notice: (text: String, role: TextRole, at: Date)?
    var typingSentAt: Date?
    var lastKeystrokeAt = Date.distantPast

    var running = true
    var needsRedraw = true
    var lastRefresh = Date.distantPast
    var lastClockMinute = -1
    /// The conversation lines formatted for the last width, reused until something changes.
    var formattedCache: (width: Int, messages: [Message], highlighted: UUID?, calls: [CallRecord], transfers: [Transfer],
                         lines: [StyledLine])?

    static let historyPage = 300

    init(node: any NodeAPI, inbox: UIInbox, settings: UISettings) {
        self.node = node
        self.inbox = inbox
        self.settings = settings
    }

    /// Runs until /quit (or a signal asks to quit); the terminal is restored on return.
    func run() {
        screen.start(theme: settings.theme, environment: ProcessInfo.processInfo.environment)
        defer { screen.stop() }
        reloadContacts()
        reloadTransfers()
        selection = firstConversation()
        reloadConversation()
        requestStatus()
        refreshCall()
        if !settings.problems.isEmpty { show(settings.problems.joined(separator: "; "), role: .warning) }
        while running {
            render()
            drawVideo()
            // During a video call the loop turns faster, to show each new picture soon.
            let keys = screen.readKeys(timeoutMilliseconds: showsVideo ? 15 : 100)
            for key in keys where running { handle(key) }
            for item in inbox.drain() { apply(item) }
            housekeeping()
        }
        stopTyping()
    }

    // MARK: Data

    func reloadContacts() {
        let previous = (contacts, requests, unread)
        contacts = ((try? database.contacts.all()) ?? []).sorted {
            $0.name.localizedCaseInsensitiveCompare($1.name) == .orderedAscending
        }
        requests = (try? database.requests.all()) ?? []
        let listed = Set(contacts.map(\.id))  // not a contact removed with its history kept
        unread = ((try? database.messages.unreadCounts()) ?? [:]).filter { listed.contains($0.key) }
        if previous.0 != contacts || previous.1 != requests || previous.2 != unread { needsRedraw = true }
        if selection == nil, let first = firstConversation() {
            select(first)
        } else if let selection, !conversationKeys.contains(selection) {
            // The contact was removed, or the request answered elsewhere.
            if case .request(let id) = selection, contacts.contains(where: { $0.id == id }) {
                select(.contact(id))
            } else {
                select(firstConversation())
            }
        }
    }

    /// Every entry of the contact list, in list order (requests first).
    var conversationKeys: [ConversationKey] {
        requests.map { .request($0.peerID) } + contacts.map { .contact($0.id) }
    }

    func firstConversation() -> ConversationKey? {
        contacts.first.map { .contact($0.id) } ?? requests.first.map { .request($0.peerID) }
    }

    var selectedContact: Contact? {
        guard case .contact(let id)? = selection else { return nil }
        return contacts.first { $0.id == id }
    }

    var selectedRequest: PendingContactRequest? {
        guard case .request(let id)? = selection else { return nil }
        return requests.first { $0.peerID == id }
    }

    /// Reloads the open conversation from the database (new messages, new delivery states).
    func reloadConversation(force: Bool = false) {
        guard let contact = selectedContact else {
            if !messages.isEmpty { messages = [] }
            conversationCalls = []
            conversationTransfers = []
            return
        }
        let loaded = loadWindow(of: contact)
        let span = timelineSpan(of: loaded)
        let calls = (try? database.calls.between(span.start, span.end, with: contact.id)) ?? []
        if calls != conversationCalls || force {
            conversationCalls = calls
            needsRedraw = true
        }
        reloadConversationTransfers(of: contact, span: span)
        if loaded != messages {
            let appended = linesAppendedBelow(old: messages, new: loaded)
            if !scrollback.isAtBottom || !windowAtEnd, !messages.isEmpty {
                let known = Set(messages.map(\.id))
                newBelow += loaded.filter { $0.direction == .incoming && !known.contains($0.id) }.count
            }
            messages = loaded
            if appended > 0 { scrollback.linesAppended(appended) }  // a scrolled-up view stays where it is
            needsRedraw = true
        }
        markReadIfVisible()
    }

    /// The window again, from its first message on: every newer message when
    /// it reaches the end, else the same span (for new delivery states).
    private func loadWindow(of contact: Contact) -> [Message] {
        let history = database.messages
        if let first = messages.first,
           let loaded = try? history.history(with: contact.id, from: first.id,
                                             limit: windowAtEnd ? messages.count + 100_000 : messages.count),
           !loaded.isEmpty {
            return loaded
        }
        windowAtEnd = true
        return (try? history.history(with: contact.id, limit: Self.historyPage)) ?? []
    }

    /// The span of time whose calls and transfers go with `window`: from its first message on
    /// (to its last one when the window does not reach the end); from the beginning when the
    /// window starts the history (fewer messages than a page).
    private func timelineSpan(of window: [Message]) -> (start: Date, end: Date) {
        let start = window.count < Self.historyPage ? Date.distantPast : window.first?.sentAt ?? .distantPast
        let end = windowAtEnd || window.isEmpty ? Date.distantFuture : window.last?.sentAt ?? .distantFuture
        return (start, end)
    }

    /// Reads the open conversation's transfers again (their states change as they run).
    func reloadConversationTransfers(of contact: Contact, span: (start: Date, end: Date)? = nil) {
        let span = span ?? timelineSpan(of: messages)
        let loaded = (try? database.transfers.between(span.start, span.end, with: contact.id)) ?? []
        if loaded != conversationTransfers {
            conversationTransfers = loaded
            needsRedraw = true
        }
    }

    /// PageUp at the top: the page before the first loaded message, added above.
    func loadOlderPage() {
        guard let contact = selectedContact, let first = messages.first,
              let older = try? database.messages.history(with: contact.id, before: first.id, limit: Self.historyPage),
              !older.isEmpty else { return }
        messages = older + messages  // the view counts from the bottom: it stays where it is
        needsRedraw = true
    }

    /// PageDown at the bottom of a window that does not reach the end: the
    /// next page, added below, the view kept where it is.
    func loadNewerPage() {
        guard !windowAtEnd, let contact = selectedContact, let last = messages.last,
              let newer = try? database.messages.history(with: contact.id, from: last.id, including: false,
                                                         limit: Self.historyPage) else { return }
        if newer.count < Self.historyPage { windowAtEnd = true }
        guard !newer.isEmpty else { return }
        let old = messages
        messages = old + newer
        if let layout = lastLayout {
            let width = layout.conversation.width - 1
            let total = lineCount(messages, width: width)
            let added = total - lineCount(old, width: width)
            scrollback.scroll(by: added, totalLines: total, height: layout.conversation.height)
        }
        needsRedraw = true
    }

    /// How many screen lines the messages that arrived after `old`'s last one
    /// add at the bottom (0 when the view follows the bottom anyway). Lines
    /// that scroll out at the top of the history window do not move the view.
    func linesAppendedBelow(old: [Message], new: [Message]) -> Int {
        guard !scrollback.isAtBottom, let layout = lastLayout, let last = old.last,
              let kept = new.lastIndex(where: { $0.id == last.id }), kept < new.count - 1 else { return 0 }
        let width = layout.conversation.width - 1
        return lineCount(new, width: width) - lineCount(Array(new[...kept]), width: width)
    }

    /// Screen lines of these messages with the calls and files among them, up to the last
    /// message's time (later ones belong to the messages that come after), at this width.
    private func lineCount(_ window: [Message], width: Int) -> Int {
        let end = window.last?.sentAt ?? .distantPast
        return conversationFormatter().lines(for: window, calls: conversationCalls.filter { $0.startedAt <= end },
                                             transfers: conversationTransfers.filter { $0.createdAt <= end },
                                             width: width).count
    }

    /// Sends read receipts for the open conversation when its newest messages are really on
    /// screen: no panel over it, a terminal big enough to show it, the view at the bottom.
    func markReadIfVisible() {
        guard panel == nil, lastLayout?.isTooSmall != true, scrollback.isAtBottom, windowAtEnd else { return }
        if let contact = selectedContact, missedCalls[contact.id] != nil {
            missedCalls[contact.id] = nil
            needsRedraw = true
        }
        guard let contact = selectedContact, (unread[contact.id] ?? 0) > 0 else { return }
        unread[contact.id] = nil
        let node = self.node, reference = contact.id.canonical
        Task { try? await node.markConversationRead(reference) }
    }

    func requestStatus() {
        let node = self.node, inbox = self.inbox
        Task {
            if let status = try? await node.status() { inbox.post(.status(status)) }
        }
    }

    func select(_ key: ConversationKey?) {
        stopTyping()
        // Each conversation keeps its own draft and scroll position.
        if let selection, selection != key {
            conversationDrafts[selection] = ConversationDraft(editor: editor, scrollback: scrollback)
        }
        let restored = key.flatMap { conversationDrafts.removeValue(forKey: $0) }
        if let restored {
            editor = restored.editor
        } else if selection != key {
            editor = LineEditor()
        }
        selection = key
        newBelow = 0
        scrollback.scrollToBottom()
        windowAtEnd = true
        highlighted = nil
        messages = []
        formattedCache = nil
        reloadConversation()
        if let restored { scrollback = restored.scrollback }
        needsRedraw = true
    }

    /// Moves the selection `step` entries down (negative: up), wrapping around.
    func cycleConversation(by step: Int) {
        let keys = conversationKeys
        guard !keys.isEmpty else { return }
        let current = selection.flatMap { keys.firstIndex(of: $0) } ?? -step
        select(keys[((current + step) % keys.count + keys.count) % keys.count])
    }

    // MARK: Transfers and prompts

    func reloadTransfers() {
        lastTransferReload = Date()
        let listed = ((try? node.transfersWithRates()) ?? []).sorted { $0.transfer.createdAt > $1.transfer.createdAt }
        let loaded = listed.map(\.transfer)
        var rates: [UUID: Double] = [:]
        for (transfer, rate) in listed where !transfer.state.isFinal {
            if let rate { rates[transfer.id] = rate }
        }
        if loaded != transfers || rates != transferRates { needsRedraw = true }
        transfers = loaded
        transferRates = rates
    }

    /// The first question not put aside: contact requests, then incoming file offers.
    var currentPrompt: Prompt? {
        let listed = Set(contacts.map(\.id))  // not the offers of a contact removed with its history kept
        let prompts = requests.map(Prompt.contactRequest) + transfers.filter {
            $0.direction == .incoming && $0.state == .offered && listed.contains($0.contactID)
        }.map { Prompt.fileOffer($0, from: name(of: $0.contactID)) }
        if let pendingRemoval { return .removeContact(pendingRemoval) }
        return prompts.first { !dismissedPrompts.contains($0.dismissalKey) }
    }

    func name(of id: ContactID) -> String {
        contacts.first { $0.id == id }?.name ?? id.short
    }

    // MARK: Notices

    func show(_ text: String, role: TextRole = .success) {
        notice = (text, role, Date())
        needsRedraw = true
    }

    func showError(_ error: any Error) {
        show("\(error)", role: .error)
    }

    // MARK: Typing indicator

    func noteTyping() {
        lastKeystrokeAt = Date()
        guard let contact = selectedContact, !editor.text.hasPrefix("/"), !editor.isEmpty else { return }
        if let sent = typingSentAt, Date().timeIntervalSince(sent) < 4 { return }
        typingSentAt = Date()
        let node = self.node, reference = contact.id.canonical
        Task { try? await node.typing(true, to: reference) }
    }

    func stopTyping() {
        guard typingSentAt != nil, let contact = selectedContact else { return }
        typingSentAt = nil
        let node = self.node, reference = contact.id.canonical
        Task { try? await node.typing(false, to: reference) }
    }

    // MARK: Loop chores

    func housekeeping() {
        let now = Date()
        if typingSentAt != nil, now.timeIntervalSince(lastKeystrokeAt) > 5 { stopTyping() }
        for (id, since) in typingPeers where now.timeIntervalSince(since) > 8 {
            typingPeers[id] = nil
            needsRedraw = true
        }
        if let notice, now.timeIntervalSince(notice.at) > 15 {
            self.notice = nil
            needsRedraw = true
        }
        // The CLI may change contacts or send messages through this node: look again now and then.
        if now.timeIntervalSince(lastRefresh) > 1.5 {
            lastRefresh = now
            if screen.terminalHungUp() { running = false }
            reloadContacts()
            reloadConversation()
        }
        callHousekeeping()
        let transfersRunning = transfers.contains { !$0.state.isFinal && $0.state != .offered }
        if now.timeIntervalSince(lastTransferReload) > (transfersRunning ? 1 : 5) { reloadTransfers() }
        let minute = Calendar.current.component(.minute, from: now)
        if minute != lastClockMinute {
            lastClockMinute = minute
            needsRedraw = true
        }
    }

    func render() {
        guard needsRedraw else { return }
        needsRedraw = false
        let builder = ScreenModelBuilder(controller: self)
        var screenModel = builder.build()
        let layout = screenModel.layout(columns: screen.columns, rows: screen.rows)
        let lines = builder.placeholderLines() ?? conversationLines(width: layout.conversation.width - 1)
        screenModel.conversation = ConversationView(lines: lines, scrollback: scrollback)
        screen.clear()
        let cursor = screenModel.draw(on: screen, layout: layout)
        // Pictures are drawn outside curses, which does not know they are there: when the pane
        // moves or goes, the whole screen is repainted (nothing of the old picture stays), and
        // when curses wrote in the pane (the placeholder went) the picture is drawn whole again.
        let placeholderShown = !screenModel.videoPlaceholder.isEmpty
        if let previous = lastLayout, previous.video.height > 0, previous.video != layout.video {
            if layout.video.height == 0 { screen.writeOverCurses(videoPane.clearBytes()) }
            screen.invalidate()
            videoPane.invalidate()
        } else if placeholderShown != lastPlaceholderShown || layout != lastLayout {
            videoPane.invalidate()
        }
        lastPlaceholderShown = placeholderShown
        screen.present(cursor: panel == nil ? cursor : nil)
        let unreadTotal = unread.values.reduce(0, +) + missedCalls.values.reduce(0, +)
        let title = "Parley — \(node.profile.displayName)" + (unreadTotal > 0 ? " (\(unreadTotal) unread)" : "")
            + (incomingCall.map { " ☎ \($0.name) is calling" } ?? "")
        if title != lastTitle {
            lastTitle = title
            screen.setTitle(title)
        }
        lastLayout = layout
    }

    /// Draws the call's new pictures over the blank video pane, outside curses (which
    /// never writes there while the pane is shown).
    func drawVideo() {
        guard showsVideo, let layout = lastLayout, !layout.isTooSmall, layout.video.height > 0 else { return }
        let drewBefore = videoPane.hasPicture
        guard let feed = node.callVideo else { return }
        var labels: [String: VideoPane.Label] = [:]
        for participant in call?.liveParticipants ?? [] {
            labels[participant.contact] = VideoPane.Label(name: participant.name, muted: !participant.remote.audioOut)
        }
        let bytes = videoPane.update(feed: feed, area: layout.video, labels: labels)
        if !bytes.isEmpty { screen.writeOverCurses(bytes) }
        if videoPane.hasPicture != drewBefore { needsRedraw = true }  // the placeholder goes
    }

    var lastLayout: ScreenLayout?

    /// How the selected conversation is drawn: names, the peer's colour, times, the highlighted hit.
    func conversationFormatter() -> ConversationFormatter {
        var formatter = ConversationFormatter(timeFormat: settings.timeFormat, ownName: node.profile.displayName,
                                              peerName: selectedContact?.name ?? "", highlighted: highlighted)
        if let contact = selectedContact { formatter.peerRole = .peerName(for: contact.id) }
        return formatter
    }

    /// The conversation's lines at this width (cached).
    func conversationLines(width: Int) -> [StyledLine] {
        if let cache = formattedCache, cache.width == width, cache.messages == messages,
           cache.highlighted == highlighted, cache.calls == conversationCalls, cache.transfers == conversationTransfers {
            return cache.lines
        }
        let formatter = conversationFormatter()
        let lines = formatter.lines(for: messages, calls: conversationCalls, transfers: conversationTransfers, width: width)
        formattedCache = (width, messages, highlighted, conversationCalls, conversationTransfers, lines)
        return lines
    }
}

/// What a conversation keeps while another one is open: the text being written and where
/// its history was scrolled to.
struct ConversationDraft {
    var editor: LineEditor
    var scrollback: Scrollback
}
