import ArgumentParser
import Foundation
import ParleyNode

/// `parley config …`: read and change the profile's config file, checked as at start-up.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show or change settings of the profile's config file.",
        discussion: """
            Every key of share/parley.conf (and theme.*). A value is checked as a node checks it at \
            start-up before the file changes; comments and the order of lines are kept. Call \
            settings apply to the next call without a restart; others when the node starts again.
            """,
        subcommands: [Get.self, Set.self, Unset.self, List.self],
        defaultSubcommand: List.self)

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a setting's value (nothing, status 1, when it is not set).")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The key.", completion: CompletionCandidates.configKeys) var key: String

        func run() async throws {
            let configuration = try ConfigurationFile(url: profileOptions.paths().configFile).load()
            guard Configuration.knownKeys.contains(key) || key.hasPrefix(Configuration.themePrefix) else {
                throw CommandFailure("unknown setting '\(key)' (parley config list --known shows every key)")
            }
            guard let value = configuration.values[key] else { throw ExitCode(1) }
            print(value)
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a key (checked first; the file is unchanged on an error).")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The key.", completion: CompletionCandidates.configKeys) var key: String
        @Argument(help: "The value (several words are joined with spaces).") var value: [String]

        func run() async throws {
            try ConfigurationFile(url: profileOptions.paths().configFile).set(key, to: value.joined(separator: " "))
            print("\(key) = \(value.joined(separator: " "))")
        }
    }

    struct Unset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a key: its default applies again.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The key.", completion: CompletionCandidates.configKeys) var key: String

        func run() async throws {
            try ConfigurationFile(url: profileOptions.paths().configFile).unset(key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the settings that are set (--known: every key Parley knows).")
        @OptionGroup var profileOptions: ProfileOptions
        @Flag(help: "List every known key, set or not.") var known = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let values = try ConfigurationFile(url: profileOptions.paths().configFile).load().values
            if json {
                try JSONOutput.print(values)
                return
            }
            let keys = known ? Array(Configuration.knownKeys.union(values.keys)).sorted() : values.keys.sorted()
            for key in keys { print(values[key].map { "\(key) = \($0)" } ?? "\(key)  (not set)") }
        }
    }
}
