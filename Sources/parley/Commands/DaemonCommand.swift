import ArgumentParser
import Dispatch
import Foundation
import Logging
import ParleyCore
import ParleyNet
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

    @Option(help: ArgumentHelp("Address to listen on for peers (default: config 'listen', else 0.0.0.0:29172).",
                               valueName: "HOST:PORT"))
    var listen: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level?

    func run() async throws {
        let profile = try profileOptions.open()
        let listenAddress = try listen.map { text throws(PeerAddressError) in try PeerAddress(parsing: text) }
            ?? profile.configuration.listenAddress()
        let level = try logLevel ?? profile.configuration.logLevel()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "parley")
        let timings = LinkTimings(connectTimeout: .seconds(Int64(try profile.configuration.connectTimeout())))
        let node = try await Node.start(profile: profile, listen: listenAddress, timings: timings, logger: logger)
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

extension Logger.Level: @retroactive ExpressibleByArgument {}
