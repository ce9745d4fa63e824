/// Carries a call's datagrams (SRTP-protected RTP and RTCP, rtcp-mux) to the peer.
/// Implementations: a UDP socket (`parley stream`), and for calls the ICE pair with the TLS
/// link tunnel as the last resort (`CallTransport` in ParleyNode).
///
/// Inbound datagrams are handed to `CallMediaSession.receive(_:)` by whoever owns the
/// transport; the session only ever calls `send`, from its media threads (several, so
/// implementations must be thread safe).
public protocol MediaTransport: AnyObject, Sendable {
    /// Sends one datagram to the peer. Never blocks; may drop when congested.
    func send(_ datagram: [UInt8])
}
