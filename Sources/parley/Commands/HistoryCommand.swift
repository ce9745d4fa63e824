import ArgumentParser
import Foundation
import ParleyCore
import ParleyNode

/// `parley history NAME`: a conversation's last messages.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show the last messages of a conversation, oldest first.",
        discussion: """
            Pages go back by key: --before ID shows the messages stored before the message \
            with that ID (the first ID of the previous page, as printed by --json), however many \
            messages arrived meanwhile.
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String
    @OptionGroup var limitOptions: ResultLimitOptions
    @Option(help: ArgumentHelp("Only messages older than the message with this ID.", valueName: "ID"),
            transform: MessageKey.parse)
    var before: UUID?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let profile = try profileOptions.open()
        let peer = try profile.database.contacts.resolve(contact)
        let messages = try profile.database.messages.history(with: peer.id, before: before,
                                                             limit: limitOptions.limit)
        if json {
            try JSONOutput.print(messages.map(MessageJSON.init))
            return
        }
        // Calls are shown among the messages of the same span (the JSON stays messages only).
        let from = messages.count == limitOptions.limit ? messages.first?.sentAt ?? .distantPast : .distantPast
        let until = before == nil ? Date.distantFuture : messages.last?.sentAt ?? .distantPast
        let calls = (try? profile.database.calls.between(from, until, with: peer.id)) ?? []
        guard !messages.isEmpty || !calls.isEmpty else {
            print(before == nil ? "No messages with \(peer.name) yet." : "No older messages with \(peer.name).")
            return
        }
        var lines: [(Date, String)] = messages.map { message in
            let who = message.direction == .outgoing ? "me" : peer.name
            let mark = message.direction == .outgoing ? "  [\(message.state.rawValue)]" : ""
            return (message.sentAt, "\(Formatting.timestamp(message.sentAt))  \(who): \(message.body)\(mark)")
        }
        for call in calls {
            let who = call.direction == .outgoing ? "me → \(peer.name)" : "\(peer.name) → me"
            lines.append((call.startedAt, "\(Formatting.timestamp(call.startedAt))  ☎ \(who): \(call.summary)"))
        }
        for (_, line) in lines.sorted(by: { $0.0 < $1.0 }) { print(line) }
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
