import Foundation
import ParleyCore
@testable import ParleyNode
@testable import ParleyStore
import Testing
@testable import ParleyTUI

/// Every prompt and every panel the UI shows, built by the UI's own screen builder and drawn
/// at 60×20 and 80×24: nothing runs past the edge, and what to press is on screen.
@Suite("Prompts and panels at small sizes", .timeLimit(.minutes(1)))
struct PromptAndPanelLayoutTests {
    static let bob = Contact(id: try! ContactID(parsing: "2ZNJ-CGS4-N1KG-XP47-0HZB-ZXTZ-04V6-KWEX-WMPW"), name: "bob")
    static let carol = try! ContactID(parsing: "F9X3-4FE3-JSRQ-QZP4-2NXC-51BP-82AG-VYJT-TZGA")

    enum Situation: String, CaseIterable {
        case contactRequest, fileOffer, removeContact, help, verify, identity, search, files, callStats
    }

    static let sizes = [(60, 20), (80, 24)]

    static func transfer(_ direction: MessageDirection, _ state: TransferState, name: String) -> Transfer {
        Transfer(contactID: bob.id, direction: direction, fileName: name, localPath: "/home/alice/parley/downloads/\(name)",
                 size: 2_400_000, sha256: "", bytesDone: 1_200_000, state: state)
    }

    /// A controller in the given situation, with bob selected.
    static func controller(in situation: Situation, node: ProfileOnlyNode) -> UIController {
        let controller = UIController(node: node, inbox: UIInbox(), settings: UISettings(configuration: node.profile.configuration))
        controller.contacts = [bob]
        controller.selection = .contact(bob.id)
        switch situation {
        case .contactRequest:
            controller.requests = [PendingContactRequest(peerID: carol, displayName: "carol-from-the-office",
                                                         note: "we met at the conference, here is my ID", address: nil)]
        case .fileOffer:
            controller.transfers = [transfer(.incoming, .offered, name: "quarterly-report-final-version-2.pdf")]
        case .removeContact:
            controller.pendingRemoval = bob
        case .help:
            controller.panel = .help(firstLine: 0)
        case .verify:
            controller.panel = .verify(bob)
        case .identity:
            controller.panel = .identity
        case .search:
            let hit = MessageRepository.SearchHit(
                message: Message(contactID: bob.id, direction: .incoming, body: "shall we have lunch at the new place on the corner tomorrow?",
                                 sentAt: Date(timeIntervalSince1970: 1_750_000_000), state: .delivered),
                contactName: "bob", snippet: "shall we have [lunch] at the new place on the corner tomorrow?")
            controller.panel = .search(SearchPanel(query: "lunch", contact: bob, hits: [hit, hit], complete: true))
        case .files:
            controller.transfers = [transfer(.outgoing, .active, name: "holiday-photos-2026-summer-trip.tar"),
                                    transfer(.incoming, .completed, name: "notes.txt")]
            controller.panel = .files(selected: 0)
        case .callStats:
            var call = CallStatus(id: "C1", contact: bob.id.short, name: "bob", direction: "out", state: "active", video: true,
                                         startedAt: Date(timeIntervalSince1970: 0),
                                         local: CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true),
                                         remote: CallMediaStates(audioOut: true, videoOut: false, audioIn: true, videoIn: true),
                                         deviceErrors: [])
            call.duration = 125
            controller.call = call
            controller.panel = .callStats(firstLine: 0)
        }
        return controller
    }

    /// What must be readable in each situation (words of the prompt or the panel's keys).
    static func expected(_ situation: Situation) -> [String] {
        switch situation {
        case .contactRequest: ["carol-from-the-office", "here is my ID”", "Alt-Y accept", "Esc later"]
        case .fileOffer: ["quarterly-report-final-version-2.pdf", "Alt-Y accept", "F2 files"]
        case .removeContact: ["Remove bob", "Esc"]
        case .help: ["Help", "Esc close"]
        case .verify: ["bob", "Esc close"]
        case .identity: ["Your ID", "Esc close"]
        case .search: ["lunch", "Esc close"]
        case .files: ["holiday-photos", "notes.txt", "Esc close"]
        case .callStats: ["Call with bob", "Esc"]
        }
    }

    @Test(arguments: Situation.allCases)
    func fitsAndSaysWhatToPress(_ situation: Situation) throws {
        let node = try ProfileOnlyNode()
        defer { node.removeFolder() }
        for (columns, rows) in Self.sizes {
            let controller = Self.controller(in: situation, node: node)
            controller.lastLayout = ScreenLayout(columns: columns, rows: rows, hasCall: controller.call != nil)
            var main = ScreenModelBuilder(controller: controller).build()
            if let call = controller.call { main.callBar = CallBar.view(for: call, age: 0, width: columns) }
            let canvas = TextCanvas(rows: rows, columns: columns)
            _ = main.draw(on: canvas, layout: main.layout(columns: columns, rows: rows))
            for (index, line) in canvas.lines.enumerated() {
                #expect(line.displayWidth <= columns, "\(situation) at \(columns)×\(rows), row \(index): \(line)")
            }
            // The words, read across wrapped rows (right of the contact list's divider).
            let text = canvas.lines.map { $0.split(separator: "│", maxSplits: 1).last.map(String.init) ?? $0 }
                .joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for words in Self.expected(situation) {
                #expect(text.contains(words), "\(situation) at \(columns)×\(rows) should show “\(words)”:\n\(canvas.lines.joined(separator: "\n"))")
            }
        }
    }
}

/// Scrolled up, new messages keep the view still.
@Suite("Scrollback with calls and files", .timeLimit(.minutes(1)))
struct ScrollbackWithCallsTests {
    static let bob = PromptAndPanelLayoutTests.bob

    /// The lines new messages add below count the calls and files among them too.
    @Test func linesAddedBelowCountCallsAmongTheNewMessages() throws {
        let node = try ProfileOnlyNode()
        defer { node.removeFolder() }
        let controller = PromptAndPanelLayoutTests.controller(in: .help, node: node)
        controller.panel = nil
        controller.lastLayout = ScreenLayout(columns: 80, rows: 24)
        controller.scrollback.pageUp(totalLines: 200, height: 10)
        func message(_ body: String, at seconds: TimeInterval) -> Message {
            Message(contactID: Self.bob.id, direction: .incoming, body: body,
                    sentAt: Date(timeIntervalSince1970: 1_750_000_000 + seconds), state: .delivered)
        }
        let old = [message("one", at: 0), message("two", at: 60)]
        let new = old + [message("three", at: 180)]
        let withoutCall = controller.linesAppendedBelow(old: old, new: new)
        controller.conversationCalls = [CallRecord(id: UUID(), contactID: Self.bob.id, direction: .incoming, video: false,
                                                   startedAt: Date(timeIntervalSince1970: 1_750_000_120))]
        #expect(controller.linesAppendedBelow(old: old, new: new) == withoutCall + 1, "the call between two and three")
        #expect(withoutCall >= 1)
    }
}

