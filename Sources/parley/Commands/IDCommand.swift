import ArgumentParser
import Foundation
import ParleyCore
import ParleyNode

/// `parley id`: this profile's contact ID, display name and listening address.
struct IDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Show this profile's contact ID, display name and listening address.",
        discussion: "Give the ID to the people you want to talk to; they add it with 'parley contacts add'."
    )

    @OptionGroup var profileOptions: ProfileOptions

    @Option(name: .customLong("set-name"), help: ArgumentHelp("Change the display name peers see.", valueName: "NAME"))
    var newName: String?

    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let profile = try profileOptions.open()
        if let newName {
            try profile.database.settings.set(try ContactName.validated(newName), for: SettingKeys.displayName)
        }
        let listen = try profile.configuration.listenAddress()
        if json {
            try JSONOutput.print(IdentityJSON(id: profile.identity.contactID.grouped, name: profile.displayName,
                                              listen: listen.description, home: profile.paths.dataDirectory.path))
        } else {
            print("ID      \(profile.identity.contactID.grouped)")
            print("Name    \(profile.displayName)")
            print("Listen  \(listen)")
            print("Profile \(profile.paths.dataDirectory.path)")
        }
    }
}

struct IdentityJSON: Encodable {
    let id: String
    let name: String
    let listen: String
    let home: String
}
