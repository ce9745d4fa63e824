import ArgumentParser
import ParleyNode

/// Options that choose the profile, shared by every subcommand.
struct ProfileOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Profile directory (default: XDG directories; env PARLEY_HOME).", valueName: "DIR"),
            completion: .directory)
    var home: String?

    @Option(name: .long, help: ArgumentHelp("Named profile inside the XDG directories.", valueName: "NAME"))
    var profile: String?

    /// The chosen profile's directories.
    func paths() throws -> ProfilePaths {
        try ProfilePaths.resolve(home: home, profile: profile)
    }

    /// A connection to the node running this profile.
    func controlClient() throws -> ControlClient {
        try ControlClient(path: try paths().controlSocket.path)
    }

    /// Tells a running node that contacts changed (nothing to do if none runs).
    func notifyNode() {
        _ = try? controlClient().request(ControlRequest(command: "contacts-changed"))
    }

    /// Opens the chosen profile, creating it on first use.
    func open() throws -> Profile {
        try Profile.open(try paths())
    }
}
