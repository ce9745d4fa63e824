import NIOCore
import NIOPosix
import ParleyCore

/// Opens outgoing peer links, pinning the peer's key to the contact ID dialled.
public struct PeerConnector: Sendable {
    let tls: PeerTLS
    let timings: LinkTimings

    public init(tls: PeerTLS, timings: LinkTimings = LinkTimings()) {
        self.tls = tls
        self.timings = timings
    }

    /// Connects to `address` and completes TLS; fails with ``LinkError/wrongPeer(expected:presented:)``
    /// if the key there is not the one `expected` pins.
    public func connect(to address: PeerAddress, expecting expected: ContactID) async throws -> PeerConnection {
        let pending: PendingConnection
        do {
            pending = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timings.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let identity = PeerIdentityBox()
                        return try PeerPipeline.configure(
                            channel, tlsHandler: try tls.clientHandler(expecting: expected, recordingInto: identity),
                            identity: identity, expected: expected, direction: .outgoing, timings: timings)
                    }
                }
        } catch {
            throw LinkError.unreachable(address: address.description, detail: String(describing: error))
        }
        return try await pending.established()
    }
}
