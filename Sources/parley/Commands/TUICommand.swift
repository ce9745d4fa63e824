import ArgumentParser
import Dispatch
import Foundation
import Logging
import ParleyCore
import ParleyNode
import ParleyTUI

/// `parley` with no subcommand: the node with its terminal UI.
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open the terminal UI (what 'parley' does without a subcommand).",
        discussion: """
            Runs the same node as 'parley daemon', with contacts, conversations and commands in one \
            window; the other subcommands reach it through the control socket. When a node already \
            runs for the profile (parley daemon), the UI attaches to it instead, and closing the UI \
            leaves that node online. Logs go to parley.log in the profile's data directory. Type \
            /help inside for commands and keys.
            """)

    @OptionGroup var profileOptions: ProfileOptions

    @OptionGroup var nodeOptions: NodeOptions

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw CommandFailure("the terminal UI needs a terminal; run 'parley daemon' for a node without one")
        }
        let profile = try profileOptions.open()
        if let attached = try? AttachedNode(profile: profile) {
            // A node runs already (parley daemon): the UI attaches to it and leaves it running.
            let quit = QuitSignal()
            let signals = SignalHandlers([SIGTERM, SIGHUP, SIGINT]) { _ in quit.requestQuit() }
            await TerminalUI.run(node: attached, quit: quit)
            signals.cancel()
            return
        }
        let logFile = profile.paths.dataDirectory.appending(path: "parley.log")
        let terminalError = try StandardErrorRedirection(to: logFile)
        let node: Node
        let logger: Logger
        do {
            logger = try nodeOptions.bootstrapLogging(for: profile)
            node = try await nodeOptions.startNode(for: profile, logger: logger)
        } catch {
            terminalError.restore()
            throw error
        }
        let serving = Task { try await node.run() }
        let quit = QuitSignal()
        let signals = SignalHandlers([SIGTERM, SIGHUP, SIGINT]) { number in
            logger.info("signal \(number): leaving the terminal UI")
            quit.requestQuit()
        }
        await TerminalUI.run(node: node, quit: quit)
        signals.cancel()
        await node.shutdown()
        let outcome = await serving.result
        terminalError.restore()
        if case .failure(let error) = outcome { throw error }
    }
}

/// Sends everything written to stderr (logs, runtime warnings) to a file
/// while the UI owns the terminal, so nothing scribbles over the screen.
struct StandardErrorRedirection {
    private let savedDescriptor: Int32

    init(to file: URL) throws {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CommandFailure("cannot open the log file \(file.path)") }
        savedDescriptor = dup(STDERR_FILENO)
        dup2(descriptor, STDERR_FILENO)
        close(descriptor)
    }

    /// Gives stderr back to the terminal.
    func restore() {
        guard savedDescriptor >= 0 else { return }
        dup2(savedDescriptor, STDERR_FILENO)
    }
}
