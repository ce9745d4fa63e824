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
        guard !body.utf8.contains(0) else { throw CommandFailure(NodeError.nulInMessage.description) }
        let response = try profileOptions.controlClient().request(
            ControlRequest(command: "send", contact: contact, text: body))
        guard response.ok, let message = response.message else { throw CommandFailure(response.error ?? "send failed") }
        if json {
            try JSONOutput.print(message)
        } else {
            print("Queued \(message.id)")
        }
    }

    /// Most lines in one request.
    static let batchLines = 500
    /// Most bytes of encoded text in one request: half the control socket's line limit,
    /// leaving room for the request around the texts.
    static let batchBytes = ControlLimits.maxLineBytes / 2

    /// Sends stdin's lines in batches of up to 500 lines and 512 KiB (one transaction each).
    private func sendLines() throws {
        let client = try profileOptions.controlClient()
        var count = 0
        var batch: [String] = []
        var batchBytes = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            let response = try client.request(ControlRequest(command: "send", contact: contact, texts: batch))
            guard response.ok, let messages = response.messages else {
                throw CommandFailure("\(response.error ?? "send failed") (\(count) messages queued before this batch)")
            }
            count += messages.count
            if json { messages.forEach { print(ControlCoding.encode($0)) } }
            batch.removeAll(keepingCapacity: true)
            batchBytes = 0
        }
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            if line.isEmpty { continue }  // an empty message cannot be sent
            guard !line.utf8.contains(0) else {
                throw CommandFailure("line \(number): \(NodeError.nulInMessage) (\(count) messages queued before it)")
            }
            let encodedBytes = ControlCoding.encode(line).utf8.count + 1
            if batchBytes + encodedBytes > Self.batchBytes { try flush() }
            batch.append(line)
            batchBytes += encodedBytes
            if batch.count == Self.batchLines { try flush() }
        }
        try flush()
        if !json { print("Queued \(count) messages") }
    }
}
