import ArgumentParser
import ParleyNode

/// Options that choose the profile, shared by every subcommand.
struct ProfileOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Profile directory (default: XDG directories; env PARLEY_HOME).", valueName: "DIR"))
    var home: String?

    @Option(name: .long, help: ArgumentHelp("Named profile inside the XDG directories.", valueName: "NAME"))
    var profile: String?

    /// Opens the chosen profile, creating it on first use.
    func open() throws -> Profile {
        try Profile.open(try ProfilePaths.resolve(home: home, profile: profile))
    }
}
