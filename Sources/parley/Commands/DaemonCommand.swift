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
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler {
                logger.info("signal \(number): shutting down")
                Task { await node.shutdown() }
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        try await node.run()
    }
}

