import ArgumentParser
import Foundation
import ParleyNode

/// `parley send NAME TEXT`: queue a message on the running node.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message to a contact through the running node.",
        discussion: """
            The message is stored first and delivered as soon as a link to the contact is up, \
            also after either side restarts. Use '-' as TEXT to read the message from stdin.
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @Argument(help: "The contact's name or ID.") var contact: String
    @Argument(help: "The message (several words are joined with spaces).") var text: [String]
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var body = text.joined(separator: " ")
        if body == "-" {
            body = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if body.hasSuffix("\n") { body.removeLast() }
        }
        let response = try profileOptions.controlClient().request(
            ControlRequest(command: "send", contact: contact, text: body))
        guard response.ok, let message = response.message else { throw CommandFailure(response.error ?? "send failed") }
        if json {
            try JSONOutput.print(message)
        } else {
            print("Queued \(message.id)")
        }
    }
}
