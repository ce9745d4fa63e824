import ArgumentParser
import Foundation
import ParleyCore
import ParleyNode
import ParleyWire

/// `parley contacts …`: the address book.
struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Add, list, rename, verify, block and remove contacts; answer contact requests.",
        discussion: "A contact is named by its name (any letter case) or by its ID (with or without dashes).",
        subcommands: [
            Add.self, List.self, Rename.self, Remove.self, Block.self, Unblock.self, Verify.self,
            Requests.self, Accept.self, Decline.self, Files.self, Calls.self, Address.self,
        ],
        defaultSubcommand: List.self
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a contact by the ID its owner gave you.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's ID, e.g. ABCD-EFGH-… (from 'parley id' on their side).") var id: String
        @Option(help: "The name you will call the contact by.") var name: String
        @Option(help: ArgumentHelp("Where the contact listens (repeatable).", valueName: "HOST[:PORT]"))
        var address: [String] = []
        @Option(help: "A short note sent with your contact request if they do not have you yet.")
        var note: String?

        func run() async throws {
            let service = try profileOptions.contactService()
            let contact = try service.add(id: id, name: name, addresses: address)
            if let note {
                try service.database.settings.set(WireLimits.fitting(note, maxBytes: 1000),
                                                  for: SettingKeys.requestNote(for: contact.id))
            }
            profileOptions.notifyNode()
            print("Added \(contact.name) (\(contact.id.grouped)). Check the ID with them, then run 'parley contacts verify \(contact.name)'.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List contacts.")
        @OptionGroup var profileOptions: ProfileOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let contacts = try profileOptions.contactService().list()
            if json {
                try JSONOutput.print(contacts.map(ContactJSON.init))
                return
            }
            guard !contacts.isEmpty else {
                print("No contacts yet. Add one with: parley contacts add ID --name NAME")
                return
            }
            var table = TextTable("NAME", "ID", "TRUST", "ADDRESS", "LAST SEEN")
            for contact in contacts {
                table.add(contact.name, contact.id.grouped, contact.trust.rawValue,
                          contact.addresses.first?.description ?? "-", Formatting.timestamp(contact.lastSeen))
            }
            print(table.rendered)
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a contact a new name.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's current name or ID.", completion: CompletionCandidates.contacts) var contact: String
        @Argument(help: "The new name.") var newName: String

        func run() async throws {
            let renamed = try profileOptions.contactService().rename(contact, to: newName)
            profileOptions.notifyNode()
            print("Renamed to \(renamed.name).")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a contact together with its conversation history, or keeping it.",
            discussion: """
                Asks first on a terminal; without one (a script), --yes is required. With \
                --keep-history the contact is gone (not listed, not dialled, its links refused like \
                a stranger's) but 'parley history' and 'parley search' still show its conversation, \
                by its name or ID; adding the ID again brings the contact back with that history.
                """)
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String
        @Flag(help: "Remove without asking (required when standard input is not a terminal).") var yes = false
        @Flag(help: "Keep the conversation, the file transfers and the call log readable.") var keepHistory = false

        func run() async throws {
            let service = try profileOptions.contactService()
            let target = try service.resolve(contact)
            let what = keepHistory ? "(keeping the conversation history)" : "and the whole conversation history"
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw CommandFailure(keepHistory ? "add --yes to confirm removing \(target.name)"
                                             : "removing \(target.name) deletes the whole conversation history: add --yes to confirm, or --keep-history")
                }
                print("Remove \(target.name) (\(target.id.grouped)) \(what)? [y/N] ", terminator: "")
                guard let answer = readLine()?.lowercased(), ["y", "yes"].contains(answer) else {
                    print("Nothing removed.")
                    return
                }
            }
            let removed = try service.remove(target.id.canonical, keepingHistory: keepHistory)
            profileOptions.notifyNode()
            print(keepHistory ? "Removed \(removed.name); 'parley history \(removed.name)' still shows the conversation."
                              : "Removed \(removed.name) and its history.")
        }
    }

    struct Address: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, add or remove the addresses a contact is dialled at.",
            discussion: "HOST without a port means 29172. Example: parley contacts address dave add 192.0.2.7")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String
        @Argument(help: "list (the default), add or remove.") var action: AddressAction = .list
        @Argument(help: ArgumentHelp("The address to add or remove.", valueName: "HOST[:PORT]")) var address: String?
        @Flag(help: "Print JSON.") var json = false

        enum AddressAction: String, ExpressibleByArgument, CaseIterable { case list, add, remove }

        func validate() throws {
            if action != .list, address == nil { throw ValidationError("\(action.rawValue) needs an address: HOST[:PORT]") }
        }

        func run() async throws {
            let service = try profileOptions.contactService()
            var target = try service.resolve(contact)
            switch action {
            case .list: break
            case .add: target = try service.addAddress(contact, address: address ?? "")
            case .remove: target = try service.removeAddress(contact, address: address ?? "")
            }
            if action != .list { profileOptions.notifyNode() }
            if json {
                try JSONOutput.print(target.addresses.map(\.description))
            } else if target.addresses.isEmpty {
                print("\(target.name) has no address: add one with 'parley contacts address \(target.name) add HOST[:PORT]'.")
            } else {
                for address in target.addresses { print(address.description) }
            }
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse every connection from a contact.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String

        func run() async throws {
            let blocked = try profileOptions.contactService().setTrust(contact, to: .blocked)
            profileOptions.notifyNode()
            print("Blocked \(blocked.name).")
        }
    }

    struct Unblock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a blocked contact connect again (as unverified).")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String

        func run() async throws {
            let unblocked = try profileOptions.contactService().setTrust(contact, to: .unverified)
            profileOptions.notifyNode()
            print("Unblocked \(unblocked.name).")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a contact's ID as checked with its owner.",
            discussion: "Read both IDs aloud (or compare them in person) before you verify.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String

        func run() async throws {
            let verified = try profileOptions.contactService().setTrust(contact, to: .verified)
            profileOptions.notifyNode()
            print("Verified \(verified.name): \(verified.id.grouped)")
        }
    }

    struct Requests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pending contact requests from unknown peers.")
        @OptionGroup var profileOptions: ProfileOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let requests = try profileOptions.contactService().requests()
            if json {
                try JSONOutput.print(requests.map(ContactRequestJSON.init))
                return
            }
            guard !requests.isEmpty else {
                print("No pending contact requests.")
                return
            }
            var table = TextTable("NAME", "ID", "RECEIVED", "NOTE")
            for request in requests {
                table.add(request.displayName, request.peerID.grouped, Formatting.timestamp(request.receivedAt),
                          request.note)
            }
            print(table.rendered)
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a contact request: the peer becomes a contact.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The requesting peer's ID or the name it gave.", completion: CompletionCandidates.requests) var request: String
        @Option(help: "Name the new contact (default: the name it gave).") var name: String?

        func run() async throws {
            let contact = try profileOptions.contactService().accept(request, name: name)
            profileOptions.notifyNode()
            print("Accepted \(contact.name) (\(contact.id.grouped)).")
        }
    }

    struct Decline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decline a contact request.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The requesting peer's ID or the name it gave.", completion: CompletionCandidates.requests) var request: String

        func run() async throws {
            let declined = try profileOptions.contactService().decline(request)
            profileOptions.notifyNode()
            print("Declined the request from \(declined.displayName).")
        }
    }
}

extension ContactsCommand {
    struct Files: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set a contact's file rules: auto-accept and size limit.",
            discussion: """
                Sizes take a number with an optional K, M or G suffix (powers of 1024). By default \
                nothing is accepted automatically and there is no size limit.
                """)
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String
        @Option(name: .customLong("auto-accept-up-to"),
                help: ArgumentHelp("Accept offers up to this size without asking ('off' to stop).", valueName: "SIZE"))
        var autoAccept: String?
        @Option(name: .customLong("max-size"),
                help: ArgumentHelp("Refuse offers larger than this ('none' for no limit).", valueName: "SIZE"))
        var maxSize: String?

        func run() async throws {
            let service = try profileOptions.contactService()
            let target = try service.resolve(contact)
            var rules = try service.database.contacts.fileRules(for: target.id)
            if let autoAccept { rules.autoAcceptMaxBytes = try Self.size(autoAccept, off: "off") }
            if let maxSize { rules.maxBytes = try Self.size(maxSize, off: "none") }
            if autoAccept != nil || maxSize != nil {
                try service.database.contacts.setFileRules(rules, for: target.id.canonical)
            }
            print("\(target.name): auto-accept \(rules.autoAcceptMaxBytes.map { "up to \(Formatting.bytes($0))" } ?? "off"), "
                  + "size limit \(rules.maxBytes.map { Formatting.bytes($0) } ?? "none")")
        }

        /// Parses `10M`, `1G`, `512` (bytes); `off` gives nil.
        static func size(_ text: String, off: String) throws -> UInt64? {
            let lowered = text.lowercased()
            if lowered == off { return nil }
            let multipliers: [Character: UInt64] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
            var digits = Substring(lowered)
            var multiplier: UInt64 = 1
            if let last = digits.last, let factor = multipliers[last] {
                multiplier = factor
                digits = digits.dropLast()
            }
            guard let value = UInt64(digits) else {
                throw ValidationError("'\(text)' is not a size: write e.g. 500K, 20M, 2G, or '\(off)'")
            }
            let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { throw ValidationError("'\(text)' is too large") }
            return bytes
        }
    }
}

extension ContactsCommand {
    struct Calls: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set whether a contact's calls are answered automatically.",
            discussion: "--auto-answer audio answers with audio only, video with what the caller offers; off rings as usual.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact's name or ID.", completion: CompletionCandidates.contacts) var contact: String
        @Option(name: .customLong("auto-answer"), help: ArgumentHelp("off, audio or video.", valueName: "MODE"))
        var autoAnswer: AutoAnswer?

        func run() async throws {
            let service = try profileOptions.contactService()
            let target = try service.resolve(contact)
            let key = SettingKeys.autoAnswer(for: target.id)
            if let autoAnswer {
                try service.database.settings.set(autoAnswer == .off ? nil : autoAnswer.rawValue, for: key)
            }
            let mode = try service.database.settings.value(for: key) ?? "off"
            print("\(target.name): auto-answer \(mode)")
        }
    }
}

extension AutoAnswer: ExpressibleByArgument {}

extension ProfileOptions {
    func contactService() throws -> ContactService {
        let profile = try open()
        return ContactService(database: profile.database, ownID: profile.identity.contactID)
    }
}
