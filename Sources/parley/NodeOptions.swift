import ArgumentParser
import Logging
import ParleyCore
import ParleyNet
import ParleyNode

/// Options of the commands that run a node (`daemon`, the terminal UI).
struct NodeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Address to listen on for peers (default: config 'listen', else 0.0.0.0:29172).",
                               valueName: "HOST:PORT"))
    var listen: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level?

    /// Sends log lines at the chosen level (option, else config) to stderr.
    func bootstrapLogging(for profile: Profile) throws -> Logger {
        let level = try logLevel ?? profile.configuration.logLevel()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "parley")
    }

    /// Starts the profile's node with the listen address and timeouts asked for.
    func startNode(for profile: Profile, logger: Logger) async throws -> Node {
        let listenAddress = try listen.map { text throws(PeerAddressError) in try PeerAddress(parsing: text) }
            ?? profile.configuration.listenAddress()
        let limits = try NodeLimits(configuration: profile.configuration)
        let timings = LinkTimings(helloDeadline: .seconds(Int64(limits.handshakeTimeout)),
                                  connectTimeout: .seconds(Int64(try profile.configuration.connectTimeout())))
        return try await Node.start(profile: profile, listen: listenAddress, timings: timings, limits: limits,
                                    logger: logger)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
