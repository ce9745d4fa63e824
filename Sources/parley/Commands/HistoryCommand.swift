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
    @Argument(help: "The contact's name or ID.") var contact: String
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
        guard !messages.isEmpty else {
            print(before == nil ? "No messages with \(peer.name) yet." : "No older messages with \(peer.name).")
            return
        }
        for message in messages {
            let who = message.direction == .outgoing ? "me" : peer.name
            let mark = message.direction == .outgoing ? "  [\(message.state.rawValue)]" : ""
            print("\(Formatting.timestamp(message.sentAt))  \(who): \(message.body)\(mark)")
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
