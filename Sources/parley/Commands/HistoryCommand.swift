import ArgumentParser
import Foundation
import ParleyCore
import ParleyNode

/// `parley history NAME`: a conversation's last messages, with its calls and files among them.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show the last messages of a conversation, oldest first.",
        discussion: """
            Calls and sent or received files appear among the messages, at the time the call \
            started or the file was offered, in their current state. --json prints the messages \
            alone, as it always has; with --all, calls and files too, as objects with \
            "type": "call" or "type": "file" (messages have no "type"). A contact removed with \
            --keep-history is still found by its name or ID. Pages go back by key: --before ID \
            shows the messages stored before the message with that ID (the first message ID of \
            the previous page, as printed by --json), however many messages arrived meanwhile.
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contactsWithHistory) var contact: String
    @OptionGroup var limitOptions: ResultLimitOptions
    @Option(help: ArgumentHelp("Only messages older than the message with this ID.", valueName: "ID"),
            transform: MessageKey.parse)
    var before: UUID?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "With --json: calls and files too, among the messages.") var all = false

    func run() async throws {
        let profile = try profileOptions.open()
        let database = profile.database
        let peer = try database.contacts.resolve(contact, includingRemoved: true)
        let messages = try database.messages.history(with: peer.id, before: before, limit: limitOptions.limit)
        // Calls and files of the page's span: from its first message (from the beginning when the
        // page starts the conversation) to the message it comes before (or to now).
        let from = messages.count == limitOptions.limit ? messages.first?.sentAt ?? .distantPast : .distantPast
        let until = before.map { key in
            (try? database.messages.message(key))?.sentAt ?? messages.last?.sentAt ?? .distantPast
        } ?? .distantFuture
        let calls = (try? database.calls.between(from, until, with: peer.id)) ?? []
        let transfers = (try? database.transfers.between(from, until, with: peer.id)) ?? []
        let entries = HistoryTimeline.merge(messages: messages, calls: calls, transfers: transfers)
        let home = NSHomeDirectory()
        func summary(_ transfer: Transfer) -> String {
            var status = TransferSummary.status(of: transfer) { HomePath.abbreviated($0, home: home) }
            if transfer.direction == .incoming, transfer.state == .offered {
                status += " ('parley file accept \(transfer.id.uuidString.prefix(8))' to accept)"
            }
            return TransferSummary.title(of: transfer) + " — " + status
        }
        if json {
            try JSONOutput.print(entries.filter { all || $0.isMessage }.map { entry -> HistoryEntryJSON in
                switch entry {
                case .message(let message): .message(MessageJSON(message))
                case .call(let call): .call(CallLogEntry(call, name: peer.name))
                case .file(let transfer):
                    .file(TransferInfo(transfer, rate: nil), createdAt: transfer.createdAt, summary: summary(transfer))
                }
            })
            return
        }
        guard !entries.isEmpty else {
            print(before == nil ? "No messages with \(peer.name) yet." : "No older messages with \(peer.name).")
            return
        }
        for entry in entries {
            let time = Formatting.timestamp(entry.time)
            switch entry {
            case .message(let message):
                let who = message.direction == .outgoing ? "me" : peer.name
                let mark = message.direction == .outgoing ? "  [\(message.state.rawValue)]" : ""
                print("\(time)  \(who): \(message.body)\(mark)")
            case .call(let call):
                let who = call.direction == .outgoing ? "me → \(peer.name)" : "\(peer.name) → me"
                print("\(time)  ☎ \(who): \(call.summary)")
            case .file(let transfer):
                let who = transfer.direction == .outgoing ? "me → \(peer.name)" : "\(peer.name) → me"
                print("\(time)  ⇅ \(who): \(summary(transfer))")
            }
        }
    }
}

/// `--before ID`: a message's UUID, the key a page continues from.
enum MessageKey {
    static func parse(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("--before takes a message ID (a UUID, as printed by --json), not '\(text)'")
        }
        return id
    }
}
