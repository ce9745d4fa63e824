import ArgumentParser
import Foundation
import ParleyNode

/// `parley events`: the node's events as JSON lines, for bots and scripts.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Stream the running node's events as JSON lines.",
        discussion: """
            Events: message, receipt, presence, typing, contact-request, contact-request-sent, \
            impersonation, file-offer, file-progress, file-state, file-complete, file-failed. \
            Each line is one JSON object with an "event" field.
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @Option(help: "Stop after this many events.") var count: Int?

    func run() async throws {
        let client = try profileOptions.controlClient()
        var seen = 0
        try client.streamEvents { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))  // unbuffered: one event, one line, now
            seen += 1
            return count.map { seen < $0 } ?? true
        }
    }
}
