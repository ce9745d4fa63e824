import ArgumentParser
import ParleyNode

/// `parley read NAME`: mark a conversation read (sends read receipts).
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Mark a conversation as read; the contact gets read receipts.")

    @OptionGroup var profileOptions: ProfileOptions
    @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String

    func run() async throws {
        let response = try profileOptions.controlClient().request(ControlRequest(command: "read", contact: contact))
        guard response.ok else { throw CommandFailure(response.error ?? "read failed") }
        print("Marked \(response.count ?? 0) messages read.")
    }
}
