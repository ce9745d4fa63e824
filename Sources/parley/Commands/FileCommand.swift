import ArgumentParser
import Foundation
import ParleyNode

/// `parley file …`: send and receive files through the running node.
struct FileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file",
        abstract: "Send files to contacts; accept, reject, pause, resume or cancel transfers.",
        discussion: """
            Transfers resume where they stopped after a dropped link or a restart of either side, \
            and a received file is renamed to its final name only after its SHA-256 matched. \
            A transfer is named by its ID or the first characters of it (see 'parley file list').
            """,
        subcommands: [Send.self, List.self, Accept.self, Reject.self, Cancel.self, Pause.self, Resume.self],
        defaultSubcommand: List.self)

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Offer a file to a contact.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String
        @Argument(help: "The file to send.") var path: String
        @Option(help: "Offer the file under another name.") var name: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            let transfer = try profileOptions.fileRequest(
                ControlRequest(command: "file-send", contact: contact, path: absolute, name: name))
            if json { try JSONOutput.print(transfer) } else { print("Offered \(transfer.file) (\(transfer.size) bytes) as \(transfer.id)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List transfers, newest first.",
            discussion: "Works without a running node too (then without rates).")
        @OptionGroup var profileOptions: ProfileOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let profile = try profileOptions.open()
            let transfers: [TransferInfo]
            do {
                let response = try profileOptions.controlClient().request(ControlRequest(command: "file-list"))
                guard response.ok, let listed = response.transfers else { throw CommandFailure(response.error ?? "failed") }
                transfers = listed
            } catch ControlClientError.noNode {
                transfers = try profile.database.transfers.all()
                    .sorted { $0.createdAt > $1.createdAt }.map { TransferInfo($0, rate: nil) }
            }
            if json {
                try JSONOutput.print(transfers)
                return
            }
            guard !transfers.isEmpty else {
                print("No transfers. Send a file with: parley file send NAME PATH")
                return
            }
            let names = Dictionary(((try? profile.database.contacts.all()) ?? []).map { ($0.id.grouped, $0.name) },
                                   uniquingKeysWith: { first, _ in first })
            var table = TextTable("ID", "DIR", "PEER", "FILE", "SIZE", "DONE", "RATE", "ETA", "STATE", "PATH")
            for transfer in transfers {
                table.add(String(transfer.id.prefix(8)), transfer.direction, names[transfer.contact] ?? String(transfer.contact.prefix(9)),
                          transfer.file, Formatting.bytes(transfer.size),
                          transfer.size == 0 ? "100%" : "\(transfer.bytesDone * 100 / transfer.size)%",
                          transfer.rate.map { Formatting.bytes(UInt64($0)) + "/s" } ?? "-",
                          transfer.eta.map { "\(Int($0))s" } ?? "-",
                          transfer.state + (transfer.error.map { ": \($0)" } ?? ""), transfer.path ?? "-")
            }
            print(table.rendered)
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept an offered file.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The transfer ID (or its first characters).", completion: CompletionCandidates.transfers) var id: String
        @Option(help: ArgumentHelp("Save into this folder instead of the download folder.", valueName: "DIR"))
        var to: String?

        func run() async throws {
            let directory = to.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let transfer = try profileOptions.fileRequest(ControlRequest(command: "file-accept", transfer: id, directory: directory))
            print("Accepted \(transfer.file); saving to \(transfer.path ?? "?")")
        }
    }

    struct Reject: TransferAction {
        static let configuration = CommandConfiguration(abstract: "Decline an offered file.")
        static let controlCommand = "file-reject"
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The transfer ID (or its first characters).", completion: CompletionCandidates.transfers) var id: String
        func report(_ transfer: TransferInfo) -> String { "Rejected \(transfer.file)." }
    }

    struct Cancel: TransferAction {
        static let configuration = CommandConfiguration(abstract: "Abandon a transfer (either side).")
        static let controlCommand = "file-cancel"
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The transfer ID (or its first characters).", completion: CompletionCandidates.transfers) var id: String
        func report(_ transfer: TransferInfo) -> String { "Cancelled \(transfer.file)." }
    }

    struct Pause: TransferAction {
        static let configuration = CommandConfiguration(abstract: "Pause a transfer; 'resume' continues where it stopped.")
        static let controlCommand = "file-pause"
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The transfer ID (or its first characters).", completion: CompletionCandidates.transfers) var id: String
        func report(_ transfer: TransferInfo) -> String { "Paused \(transfer.file) at \(Formatting.bytes(transfer.bytesDone))." }
    }

    struct Resume: TransferAction {
        static let configuration = CommandConfiguration(abstract: "Resume a paused transfer (also after a full disk).")
        static let controlCommand = "file-resume"
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The transfer ID (or its first characters).", completion: CompletionCandidates.transfers) var id: String
        func report(_ transfer: TransferInfo) -> String { "Resumed \(transfer.file) from \(Formatting.bytes(transfer.bytesDone))." }
    }
}

/// A `parley file` subcommand that sends one control command about one transfer.
protocol TransferAction: AsyncParsableCommand {
    static var controlCommand: String { get }
    var profileOptions: ProfileOptions { get }
    var id: String { get }
    func report(_ transfer: TransferInfo) -> String
}

extension TransferAction {
    func run() async throws {
        print(report(try profileOptions.fileRequest(ControlRequest(command: Self.controlCommand, transfer: id))))
    }
}

extension ProfileOptions {
    /// Sends a file-transfer request to the node and returns the transfer it answers with.
    func fileRequest(_ request: ControlRequest) throws -> TransferInfo {
        let response = try controlClient().request(request)
        guard response.ok, let transfer = response.transfer else { throw CommandFailure(response.error ?? "failed") }
        return transfer
    }
}
