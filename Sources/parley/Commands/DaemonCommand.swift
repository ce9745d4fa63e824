import ArgumentParser
import Dispatch
import Foundation
import Logging
import ParleyCore
import ParleyNode

/// `parley daemon`: the node without a screen, in the foreground.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the node headless in the foreground (logs to stderr).",
        discussion: """
            The node listens for peers, keeps links to contacts and delivers messages. Other \
            commands (send, status, events…) talk to it through the control socket in the profile. \
            Stop it with Ctrl-C or SIGTERM.
            """)

    @OptionGroup var profileOptions: ProfileOptions

    @OptionGroup var nodeOptions: NodeOptions

    func run() async throws {
        let profile = try profileOptions.open()
        let logger = try nodeOptions.bootstrapLogging(for: profile)
        let node = try await nodeOptions.startNode(for: profile, logger: logger)
        let signals = SignalHandlers([SIGINT, SIGTERM]) { number in
            logger.info("signal \(number): shutting down")
            ShutdownDeadline.start(logger: logger)
            Task { await node.shutdown() }
        }
        defer { signals.cancel() }
        try await node.run()
    }
}

