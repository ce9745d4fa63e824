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
    @OptionGroup var limitOptions: ResultLimitOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let profile = try profileOptions.open()
        let peer = try profile.database.contacts.resolve(contact)
        let messages = try profile.database.messages.history(with: peer.id, limit: limitOptions.limit)
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
