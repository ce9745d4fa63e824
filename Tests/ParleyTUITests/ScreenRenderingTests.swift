import Foundation
import ParleyCore
import Testing
@testable import ParleyTUI

/// The whole screen drawn into a `TextCanvas`, as a terminal would show it.
@Suite("Screen rendering")
struct ScreenRenderingTests {
    static let bob = try! ContactID(parsing: "2ZNJ-CGS4-N1KG-XP47-0HZB-ZXTZ-04V6-KWEX-WMPW")

    func screen(messages: [Message], input: String = "", banner: [StyledLine] = []) -> MainScreen {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let lines = ConversationFormatter(ownName: "alice", peerName: "bob", calendar: calendar)
            .lines(for: messages, width: 62)
        return MainScreen(
            title: BarView(left: [StyledSpan(" bob ● online")], right: [StyledSpan("/help ")], role: .titleBar),
            contactList: ContactListView(entries: [
                .init(key: .request(Self.bob), name: "carol"),
                .init(key: .contact(Self.bob), name: "bob", online: true, unread: 0),
                .init(key: .contact(try! ContactID(parsing: "F9X3-4FE3-JSRQ-QZP4-2NXC-51BP-82AG-VYJT-TZGA")),
                      name: "dave", online: false, unread: 3),
            ], selected: .contact(Self.bob)),
            conversation: ConversationView(lines: lines, scrollback: Scrollback()),
            panel: nil, banner: banner,
            status: BarView(left: [StyledSpan(" alice · 1/2 online")], role: .statusBar),
            input: InputView(prompt: "bob› ", editor: LineEditor(input)))
    }

    func message(_ body: String, outgoing: Bool, state: MessageState = .delivered, at seconds: TimeInterval) -> Message {
        Message(contactID: Self.bob, direction: outgoing ? .outgoing : .incoming, body: body,
                sentAt: Date(timeIntervalSince1970: 1_750_000_000 + seconds), state: state)
    }

    /// Each contact's name keeps its own colour, the same in every run; different contacts
    /// spread over the six name colours, each of which the theme can set.
    @Test func contactsNamesHaveTheirOwnColours() throws {
        #expect(TextRole.peerName(for: Self.bob) == TextRole.peerName(for: try ContactID(parsing: Self.bob.grouped)))
        var used = Set<TextRole>()
        for index in 0..<64 {
            used.insert(TextRole.peerName(for: ContactID(subjectPublicKeyInfo: Array("contact \(index)".utf8))))
        }
        #expect(used == Set(TextRole.peerNames))
        for role in TextRole.peerNames { #expect(Theme.roleNames.values.contains(role)) }

        var formatter = ConversationFormatter(ownName: "alice", peerName: "bob")
        formatter.peerRole = .peerName4
        let line = formatter.lines(for: [message("hi", outgoing: false, at: 0)], width: 60).last
        #expect(line?.spans.contains { $0.role == .peerName4 && $0.text.contains("bob") } == true)
    }

    @Test func drawsEveryPartAt80By24() {
        let main = screen(messages: [
            message("hello 日本 👍", outgoing: false, at: 0),
            message("é and 日本", outgoing: true, state: .read, at: 60),
            message("pending", outgoing: true, state: .failed, at: 120),
        ], input: "typing 日本")
        let canvas = TextCanvas(rows: 24, columns: 80)
        let layout = main.layout(columns: 80, rows: 24)
        let cursor = main.draw(on: canvas, layout: layout)
        let lines = canvas.lines
        #expect(lines[0].hasPrefix(" bob ● online"))
        #expect(lines[0].hasSuffix("/help"))
        #expect(lines[1].hasPrefix(" Requests"))
        #expect(lines[2].hasPrefix(" ⚑ carol"))
        #expect(lines[4].hasPrefix(" ● bob"))
        #expect(lines[5].hasPrefix(" ○ dave") && lines[5].contains("3"))
        #expect(lines.contains { $0.contains("Sunday 15 June 2025") })
        #expect(lines.contains { $0.contains("15:06   bob │ hello 日本 👍") })
        #expect(lines.contains { $0.contains("15:07 alice │ é and 日本 ✔✔") })
        #expect(lines.contains { $0.contains("alice │ pending ✗ failed") })
        #expect(lines[22].hasPrefix(" alice · 1/2 online"))
        #expect(lines[23] == "bob› typing 日本")
        #expect(cursor?.row == 23 && cursor?.column == 5 + 11)
        for line in lines { #expect(line.displayWidth <= 80) }
    }

    @Test func longMultiLineInputGrowsTheInputArea() {
        let main = screen(messages: [], input: "first line\nsecond line\nthird")
        let layout = main.layout(columns: 80, rows: 24)
        #expect(layout.input.height == 3)
        let canvas = TextCanvas(rows: 24, columns: 80)
        main.draw(on: canvas, layout: layout)
        #expect(canvas.lines[21] == "bob› first line")
        #expect(canvas.lines[22] == "     second line")
        #expect(canvas.lines[23] == "     third")
    }

    @Test func theBannerShowsAboveTheStatusLine() {
        let main = screen(messages: [], banner: [StyledLine([StyledSpan("⚑ carol asks to be your contact")])])
        let canvas = TextCanvas(rows: 24, columns: 80)
        main.draw(on: canvas, layout: main.layout(columns: 80, rows: 24))
        #expect(canvas.lines[21].contains("⚑ carol asks to be your contact"))
    }

    @Test(arguments: [(60, 20), (80, 24)])
    func promptsAndPanelsWrapAtSmallSizes(columns: Int, rows: Int) {
        let prompt = StyledLine([StyledSpan("⚑ carol-from-the-office asks to be your contact: “we met at the conference, here is my ID”", .warning),
                                 StyledSpan("   Alt-Y accept · Alt-N decline · Esc later", .accent)])
        var main = screen(messages: [], banner: [prompt])
        var canvas = TextCanvas(rows: rows, columns: columns)
        main.draw(on: canvas, layout: main.layout(columns: columns, rows: rows))
        // The conversation side of each row (right of the contact list's divider), words rejoined.
        func conversationText() -> String {
            canvas.lines.map { line in line.split(separator: "│", maxSplits: 1).last.map(String.init) ?? line }
                .joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        var text = conversationText()
        #expect(text.contains("here is my ID”"), "the whole prompt is shown")
        #expect(text.contains("Esc later"))
        for line in canvas.lines { #expect(line.displayWidth <= columns) }

        let words = (1 ... 40).map { "word\($0)" }.joined(separator: " ")
        main.panel = PanelView(title: "Help", lines: [StyledLine([StyledSpan(words)])], footer: "Esc close")
        main.banner = []
        canvas = TextCanvas(rows: rows, columns: columns)
        main.draw(on: canvas, layout: main.layout(columns: columns, rows: rows))
        text = conversationText()
        #expect(text.contains("word1 ") && text.contains("word40"), "a reading panel wraps its text")
        for line in canvas.lines { #expect(line.displayWidth <= columns) }
    }

    @Test func aTinyTerminalGetsANotice() {
        let main = screen(messages: [])
        let canvas = TextCanvas(rows: 8, columns: 30)
        #expect(main.draw(on: canvas, layout: main.layout(columns: 30, rows: 8)) == nil)
        #expect(canvas.lines[0].hasPrefix("Parley needs at least"))
    }

    @Test func scrolledUpConversationsSayThatMoreIsBelow() {
        let messages = (0..<40).map { message("line \($0)", outgoing: $0 % 2 == 0, at: Double($0)) }
        var main = screen(messages: messages)
        var scrollback = Scrollback()
        scrollback.pageUp(totalLines: main.conversation.lines.count, height: 21)
        main.conversation.scrollback = scrollback
        let canvas = TextCanvas(rows: 24, columns: 80)
        main.draw(on: canvas, layout: main.layout(columns: 80, rows: 24))
        #expect(canvas.lines[21].contains("more below"))
        #expect(!canvas.lines.contains { $0.contains("line 39") })
    }

    @Test(arguments: [(60, 20), (80, 24)])
    func theRemovalQuestionOffersToKeepTheConversation(columns: Int, rows: Int) {
        let dave = Contact(id: Self.bob, name: "dave")
        let main = MainScreen(
            title: BarView(left: [StyledSpan(" dave")], role: .titleBar),
            contactList: ContactListView(entries: [.init(key: .contact(Self.bob), name: "dave")], selected: .contact(Self.bob)),
            conversation: ConversationView(lines: [], scrollback: Scrollback()), panel: nil,
            banner: Prompt.removeContact(dave).bannerLines,
            status: BarView(left: [StyledSpan(" alice")], role: .statusBar), input: InputView(prompt: "dave› ", editor: LineEditor()))
        let canvas = TextCanvas(rows: rows, columns: columns)
        main.draw(on: canvas, layout: main.layout(columns: columns, rows: rows))
        for line in canvas.lines { #expect(line.displayWidth <= columns) }
        let text = canvas.lines.map { line in line.split(separator: "│", maxSplits: 1).last.map(String.init) ?? line }
            .joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("Remove dave? Their conversation can go too or stay readable."))
        #expect(text.contains("Alt-Y remove with the conversation"))
        #expect(text.contains("Alt-K remove, keep the conversation · Alt-N or Esc cancel"))
    }
}
