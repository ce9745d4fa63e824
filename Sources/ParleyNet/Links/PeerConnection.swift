import NIOCore
import ParleyCore
import ParleyWire

/// Frames in, frames out: the async face of one TLS peer link.
public typealias PeerChannel = NIOAsyncChannel<WireMessage, WireMessage>

/// Which side opened a link.
public enum LinkDirection: String, Sendable {
    case incoming, outgoing
}

/// A peer link whose TLS handshake is done and whose peer key is known.
public struct PeerConnection: Sendable {
    public let channel: PeerChannel
    /// The peer's ID, from the key it proved in the TLS handshake.
    public let peerID: ContactID
    public let direction: LinkDirection
    /// The peer's IP address and source port as seen by us.
    public let remoteAddress: SocketAddress?
}

/// A freshly accepted or connected channel, before its TLS handshake is done.
struct PendingConnection: Sendable {
    let channel: PeerChannel
    let handshake: EventLoopFuture<ContactID>
    let identity: PeerIdentityBox
    let direction: LinkDirection

    /// Waits for the TLS handshake and the peer's verified ID.
    func established() async throws -> PeerConnection {
        do {
            let id = try await handshake.get()
            return PeerConnection(channel: channel, peerID: id, direction: direction,
                                  remoteAddress: channel.channel.remoteAddress)
        } catch {
            try? await channel.channel.close()
            throw error
        }
    }
}
