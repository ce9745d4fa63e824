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
            also after either side restarts. Use '-' as TEXT to read the message from stdin, or \
            --lines to send every line of stdin as its own message.
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @Argument(help: "The contact's name or ID.") var contact: String
    @Argument(help: "The message (several words are joined with spaces).") var text: [String] = []
    @Flag(help: "Send each line of stdin as a separate message.") var lines = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard lines || !text.isEmpty else { throw ValidationError("give the message text, '-' for stdin, or --lines") }
    }

    func run() async throws {
        if lines {
            try sendLines()
            return
        }
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

    private func sendLines() throws {
        let client = try profileOptions.controlClient()
        var count = 0
        while let line = readLine(strippingNewline: true) {
            let response = try client.request(ControlRequest(command: "send", contact: contact, text: line))
            guard response.ok, let message = response.message else {
                throw CommandFailure("line \(count + 1): \(response.error ?? "send failed") (\(count) queued before it)")
            }
            count += 1
            if json { print(ControlCoding.encode(message)) }
        }
        if !json { print("Queued \(count) messages") }
    }
}
