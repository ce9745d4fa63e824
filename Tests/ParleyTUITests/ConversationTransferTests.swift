import Foundation
import ParleyCore
import Testing
@testable import ParleyTUI

/// Sent and received files among the messages of a conversation, in their current state.
@Suite("Files in the conversation", .timeLimit(.minutes(1)))
struct ConversationTransferTests {
    static let bob = try! ContactID(parsing: "2ZNJ-CGS4-N1KG-XP47-0HZB-ZXTZ-04V6-KWEX-WMPW")
    static let start = Date(timeIntervalSince1970: 1_750_000_000)

    var formatter: ConversationFormatter {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var formatter = ConversationFormatter(ownName: "alice", peerName: "bob", calendar: calendar)
        formatter.homeDirectory = "/home/tester"
        return formatter
    }

    func transfer(_ direction: MessageDirection, _ state: TransferState, name: String = "photo.jpg", size: UInt64 = 317_440,
                  path: String? = nil, done: UInt64 = 0, pause: TransferPauseReason? = nil,
                  failure: TransferFailureReason? = nil, at seconds: TimeInterval = 0) -> Transfer {
        Transfer(contactID: Self.bob, direction: direction, fileName: name, localPath: path, size: size,
                 sha256: String(repeating: "0", count: 64), bytesDone: done, state: state, pauseReason: pause,
                 failureReason: failure, createdAt: Self.start.addingTimeInterval(seconds))
    }

    func message(_ body: String, at seconds: TimeInterval) -> Message {
        Message(contactID: Self.bob, direction: .incoming, body: body, sentAt: Self.start.addingTimeInterval(seconds),
                state: .delivered)
    }

    /// The conversation drawn on a screen of this size: the rows right of the contact list.
    func conversationRows(_ transfers: [Transfer], columns: Int, rows: Int) -> [String] {
        let layout = ScreenLayout(columns: columns, rows: rows)
        let lines = formatter.lines(for: [], calls: [], transfers: transfers, width: layout.conversation.width - 1)
        let main = MainScreen(
            title: BarView(left: [StyledSpan(" bob")], role: .titleBar),
            contactList: ContactListView(entries: [.init(key: .contact(Self.bob), name: "bob")], selected: .contact(Self.bob)),
            conversation: ConversationView(lines: lines, scrollback: Scrollback()), panel: nil, banner: [],
            status: BarView(left: [StyledSpan(" alice")], role: .statusBar), input: InputView(prompt: "bob› ", editor: LineEditor()))
        let canvas = TextCanvas(rows: rows, columns: columns)
        main.draw(on: canvas, layout: main.layout(columns: columns, rows: rows))
        for line in canvas.lines { #expect(line.displayWidth <= columns) }
        return canvas.lines.map { line in line.split(separator: "│", maxSplits: 1).last.map(String.init) ?? line }
    }

    /// The entry's text with its wrapped lines joined again.
    func entryText(_ transfer: Transfer, columns: Int, rows: Int) -> String {
        let layout = ScreenLayout(columns: columns, rows: rows)
        let lines = formatter.lines(for: [], calls: [], transfers: [transfer], width: layout.conversation.width - 1)
            .filter { $0.tag == "file:" + transfer.id.uuidString }
        for line in lines { #expect(line.text.displayWidth <= layout.conversation.width - 1) }
        return lines.map { $0.text.split(separator: "│", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            .joined(separator: " ")
    }

    @Test(arguments: [(60, 20), (80, 24)])
    func everyStateReadsWholeAtSmallSizes(columns: Int, rows: Int) {
        let cases: [(Transfer, String)] = [
            (transfer(.outgoing, .completed, name: "report.pdf", size: 2_516_582, path: "/home/tester/report.pdf", done: 2_516_582),
             "↗ report.pdf, 2.4 MiB — sent"),
            (transfer(.incoming, .completed, path: "/home/tester/Downloads/parley/photo.jpg", done: 317_440),
             columns == 80 ? "↙ photo.jpg, 310.0 KiB — saved to ~/Downloads/parley/photo.jpg"
                           : "↙ photo.jpg, 310.0 KiB — saved to ~/…/parley/photo.jpg"),
            (transfer(.incoming, .offered), "↙ photo.jpg, 310.0 KiB — offered (F2 to accept)"),
            (transfer(.outgoing, .offered), "↗ photo.jpg, 310.0 KiB — offered, waiting for an answer"),
            (transfer(.incoming, .active, done: 150_000), "↙ photo.jpg, 310.0 KiB — receiving, 47 %"),
            (transfer(.outgoing, .paused, pause: .byReceiver), "↗ photo.jpg, 310.0 KiB — paused by the receiver"),
            (transfer(.incoming, .paused, pause: .diskFull), "↙ photo.jpg, 310.0 KiB — paused: the disk is full"),
            (transfer(.incoming, .failed, failure: .hashMismatch),
             "↙ photo.jpg, 310.0 KiB — failed: the data did not match its SHA-256"),
            (transfer(.outgoing, .rejected), "↗ photo.jpg, 310.0 KiB — declined"),
            (transfer(.outgoing, .cancelled), "↗ photo.jpg, 310.0 KiB — cancelled"),
        ]
        for (transfer, expected) in cases {
            #expect(entryText(transfer, columns: columns, rows: rows) == expected)
        }
        let shown = conversationRows(cases.map(\.0), columns: columns, rows: rows)
        #expect(shown.contains { $0.contains("15:06     ⇅ ") }, "the first line has the time and the file mark")
    }

    @Test func aPeersWordsInAFailureCannotReachTheTerminal() {
        var failed = transfer(.outgoing, .failed, failure: .other)
        failed.error = "the peer said: \u{1B}[2Jgone\nfor good"
        let text = entryText(failed, columns: 80, rows: 24)
        #expect(!text.contains("\u{1B}") && !text.contains("\n"))
        #expect(text.hasPrefix("↗ photo.jpg, 310.0 KiB — failed: the peer said:"))
    }

    @Test func filesTakeTheirPlaceAmongMessagesAndCallsByTime() throws {
        let call = CallRecord(id: UUID(), contactID: Self.bob, direction: .incoming, video: false,
                              startedAt: Self.start.addingTimeInterval(90), endedAt: Self.start.addingTimeInterval(100),
                              outcome: .missed)
        let first = transfer(.incoming, .completed, name: "first.txt", path: "/tmp/first.txt", at: 30)
        let second = transfer(.outgoing, .completed, name: "second.txt", at: 150)
        let last = transfer(.outgoing, .offered, name: "last.txt", at: 400)
        let lines = formatter.lines(for: [message("hello", at: 0), message("and then", at: 120), message("bye", at: 300)],
                                    calls: [call], transfers: [last, second, first], width: 80).map(\.text)
        let order = try ["│ hello", "first.txt", "missed call", "│ and then", "second.txt", "│ bye", "last.txt"].map { word in
            try #require(lines.firstIndex { $0.contains(word) }, "\(word) in \(lines)")
        }
        #expect(order == order.sorted())
        #expect(lines.filter { $0.contains("Sunday 15 June 2025") }.count == 1)
    }

    @Test func homeIsWrittenAsTildeAndLongPathsAreCutInTheMiddle() {
        #expect(HomePath.abbreviated("/home/ann/Downloads/x.pdf", home: "/home/ann") == "~/Downloads/x.pdf")
        #expect(HomePath.abbreviated("/home/ann/Downloads/x.pdf", home: "/home/ann/") == "~/Downloads/x.pdf")
        #expect(HomePath.abbreviated("/home/anna/x.pdf", home: "/home/ann") == "/home/anna/x.pdf")
        #expect(HomePath.abbreviated("/srv/x.pdf", home: "/") == "/srv/x.pdf")
        #expect(PathElision.fitting("~/a/b/c/photo.jpg", columns: 40) == "~/a/b/c/photo.jpg")
        #expect(PathElision.fitting("~/Downloads/parley/photo.jpg", columns: 21) == "~/…/parley/photo.jpg")
        #expect(PathElision.fitting("/data/Downloads/parley/photo.jpg", columns: 16) == "/…/photo.jpg")
        #expect(PathElision.fitting("/a/very-long-file-name.jpg", columns: 10) == "/a/very-long-file-name.jpg")
    }
}
