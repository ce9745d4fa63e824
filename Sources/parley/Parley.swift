import ArgumentParser
import Foundation

/// `parley`: the command line. Parsing only; the work happens in ParleyNode.
@main
struct Parley: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Encrypted peer-to-peer chat and file transfer in the terminal.",
        discussion: """
            Every subcommand works on one profile: --home DIR (or PARLEY_HOME), or the XDG \
            directories (~/.config/parley, ~/.local/share/parley), or --profile NAME inside them.
            Exit codes: 0 success, 1 the operation failed, 2 the command line is wrong.
            """,
        version: "0.1.0",
        subcommands: [
            IDCommand.self,
            ContactsCommand.self,
            DaemonCommand.self,
            TUICommand.self,
            SendCommand.self,
            FileCommand.self,
            CallCommand.self,
            BroadcastCommand.self,
            ReadCommand.self,
            StatusCommand.self,
            EventsCommand.self,
            HistoryCommand.self,
            SearchCommand.self,
            StreamCommand.self,
            ViewCommand.self,
            ConfigCommand.self,
        ],
        defaultSubcommand: TUICommand.self
    )

    /// Runs the command and maps failures to exit codes 1 (failed) and 2 (usage).
    static func main() async {
        do {
            var command = try parseAsRoot(GlobalOptions.reordered(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(code: exitCode(forFailure: error), error: error)
        }
    }

    static func exitCode(forFailure error: any Error) -> Int32 {
        if let code = error as? ExitCode { return code.rawValue }
        switch exitCode(for: error) {
        case .success: return 0
        case .validationFailure: return 2
        default: return 1
        }
    }

    static func exit(code: Int32, error: any Error) -> Never {
        switch code {
        case 0:
            exit(withError: error)  // --help, --version
        case 2:
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        default:
            if !(error is ExitCode) {
                FileHandle.standardError.write(Data("parley: \(error)\n".utf8))
            }
        }
        Foundation.exit(code)
    }
}
