import ArgumentParser
import Foundation
import ParleyNode

/// `parley send NAME TEXT`: queue a message on the running node.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message to a contact.",
        discussion: """
            The message is stored first and delivered as soon as a link to the contact is up, \
            also after either side restarts. Without a running node it is stored as queued and goes \
            out when a node starts (parley daemon, or parley). Use '-' as TEXT to read the message \
            from stdin, or --lines to send every line of stdin as its own message.
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String
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
        let message: SentMessage
        var offline = false
        do {
            let response = try profileOptions.controlClient().request(
                ControlRequest(command: "send", contact: contact, text: body))
            guard response.ok, let sent = response.message else { throw CommandFailure(response.error ?? "send failed") }
            message = sent
        } catch ControlClientError.noNode {
            // No node runs: store it; the next node to start sends it.
            message = SentMessage(try OutgoingMessages.enqueue([body], to: contact, in: profileOptions.open().database).1[0])
            offline = true
        }
        if json {
            try JSONOutput.print(message)
        } else {
            print("Queued \(message.id)\(offline ? " (no node runs: it goes out when one starts, e.g. parley daemon)" : "")")
        }
    }

    /// Most lines in one request.
    static let batchLines = 500
    /// Most bytes of encoded text in one request: half the control socket's line limit,
    /// leaving room for the request around the texts.
    static let batchBytes = ControlLimits.maxLineBytes / 2

    /// Sends stdin's lines in batches of up to 500 lines and 512 KiB (one transaction each).
    private func sendLines() throws {
        let client: ControlClient?
        do {
            client = try profileOptions.controlClient()
        } catch ControlClientError.noNode {
            client = nil  // stored as queued for the next node that starts
        }
        let database = client == nil ? try profileOptions.open().database : nil
        var count = 0
        var batch: [String] = []
        var batchBytes = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            let messages: [SentMessage]
            if let client {
                let response = try client.request(ControlRequest(command: "send", contact: contact, texts: batch))
                guard response.ok, let sent = response.messages else {
                    throw CommandFailure("\(response.error ?? "send failed") (\(count) messages queued before this batch)")
                }
                messages = sent
            } else if let database {
                messages = try OutgoingMessages.enqueue(batch, to: contact, in: database).1.map(SentMessage.init)
            } else {
                messages = []
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
