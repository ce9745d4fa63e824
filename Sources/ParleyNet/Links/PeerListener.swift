import Logging
import NIOCore
import NIOPosix
import ParleyCore

/// Accepts peer links on a TCP port (29172 by default).
///
/// The TLS layer admits only keys that `admit` allows (blocked peers are
/// refused during the handshake); every accepted link is handed to the
/// connection handler in its own task, so one bad peer never stalls others.
public struct PeerListener: Sendable {
    private let serverChannel: NIOAsyncChannel<PendingConnection, Never>
    private let logger: Logger

    /// The address actually bound (useful with port 0).
    public var localAddress: SocketAddress? { serverChannel.channel.localAddress }

    /// - Parameter unauthenticated: caps the connections that have not proved to be a contact yet.
    public static func bind(host: String, port: Int, tls: PeerTLS, timings: LinkTimings = LinkTimings(),
                            unauthenticated: UnauthenticatedConnections = UnauthenticatedConnections(),
                            logger: Logger,
                            admit: @escaping @Sendable (ContactID) -> Bool) async throws -> PeerListener {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    unauthenticated.admit(channel)
                    let identity = PeerIdentityBox()
                    return try PeerPipeline.configure(
                        channel, tlsHandler: tls.serverHandler(recordingInto: identity, admit: admit),
                        identity: identity, expected: nil, direction: .incoming, timings: timings)
                }
            }
        return PeerListener(serverChannel: channel, logger: logger)
    }

    /// Accepts links until the listener is closed, running `handle` for each
    /// one whose TLS handshake succeeds.
    public func run(handle: @escaping @Sendable (PeerConnection) async -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await serverChannel.executeThenClose { inbound in
                for try await pending in inbound {
                    group.addTask {
                        let remote = pending.channel.channel.remoteAddress
                        do {
                            let connection = try await pending.established()
                            await handle(connection)
                        } catch {
                            logger.notice("refused incoming link", metadata: [
                                "from": "\(remote.map { "\($0)" } ?? "?")", "reason": "\(error)",
                            ])
                        }
                    }
                }
            }
        }
    }

    /// Stops accepting new links.
    public func close() async {
        try? await serverChannel.channel.close()
    }
}
