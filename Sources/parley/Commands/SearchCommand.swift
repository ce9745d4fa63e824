import ArgumentParser
import Foundation
import ParleyCore
import ParleyNode

/// `parley search TEXT`: full-text search over every conversation.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search all conversations (or one with --contact); newest matches first.",
        discussion: """
            Every word must appear; the last word also matches as a prefix (unless it is a single \
            character). Accents are ignored. --before ID continues after the last hit of the \
            previous page (its message ID, as printed by --json).
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @Argument(help: "Words to look for.") var query: [String]
    @OptionGroup var limitOptions: ResultLimitOptions
    @Option(help: ArgumentHelp("Only this contact's conversation (name or ID).", valueName: "NAME"))
    var contact: String?
    @Option(help: ArgumentHelp("Only matches older than the message with this ID.", valueName: "ID"),
            transform: MessageKey.parse)
    var before: UUID?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let profile = try profileOptions.open()
        let peer = try contact.map { try profile.database.contacts.resolve($0, includingRemoved: true) }
        let hits = try profile.database.messages.search(query.joined(separator: " "), contact: peer?.id,
                                                        before: before, limit: limitOptions.limit)
        if json {
            try JSONOutput.print(hits.map { SearchHitJSON(contactName: $0.contactName, snippet: $0.snippet,
                                                          message: MessageJSON($0.message)) })
            return
        }
        guard !hits.isEmpty else {
            print("No messages match.")
            return
        }
        for hit in hits {
            let who = hit.message.direction == .outgoing ? "me → \(hit.contactName)" : hit.contactName
            print("\(Formatting.timestamp(hit.message.sentAt))  \(who): \(hit.snippet)")
        }
    }
}

struct SearchHitJSON: Encodable {
    let contactName: String
    let snippet: String
    let message: MessageJSON

    enum CodingKeys: String, CodingKey {
        case snippet, message
        case contactName = "contact_name"
    }
}
