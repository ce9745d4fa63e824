import NIOCore

/// The IP addresses at both ends of a contact's link (ports left out: an incoming link's
/// remote port is any, and which side dialled may change). A call compares them when the link
/// comes back to tell whether the host or the peer moved.
struct LinkAddresses: Equatable, Sendable {
    var local: String?
    var remote: String?

    init(local: SocketAddress?, remote: SocketAddress?) {
        self.local = local?.ipAddress
        self.remote = remote?.ipAddress
    }

    init(_ session: PeerSession) {
        self.init(local: session.localAddress, remote: session.remoteAddress)
    }
}
