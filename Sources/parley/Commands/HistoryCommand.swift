import ArgumentParser
import Foundation
import ParleyCore
import ParleyNode

/// `parley history NAME`: a conversation's last messages.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show the last messages of a conversation, oldest first.")

    @OptionGroup var profileOptions: ProfileOptions
    @Argument(help: "The contact's name or ID.") var contact: String
    @Option(help: "How many messages.") var limit = 50
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let profile = try profileOptions.open()
        let peer = try profile.database.contacts.resolve(contact)
        let messages = try profile.database.messages.history(with: peer.id, limit: limit)
        if json {
            try JSONOutput.print(messages.map(MessageJSON.init))
            return
        }
        guard !messages.isEmpty else {
            print("No messages with \(peer.name) yet.")
            return
        }
        for message in messages {
            let who = message.direction == .outgoing ? "me" : peer.name
            let mark = message.direction == .outgoing ? "  [\(message.state.rawValue)]" : ""
            print("\(Formatting.timestamp(message.sentAt))  \(who): \(message.body)\(mark)")
        }
    }
}
