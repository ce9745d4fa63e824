/// Protocol-wide constants shared by the session layer (see `docs/PROTOCOL.md`).
public enum WireProtocol {
    /// Protocol version this implementation speaks (sent as `Hello.protocolVersion`).
    public static let version: UInt16 = 1
    /// Oldest protocol version this implementation accepts (sent as `Hello.minProtocolVersion`).
    public static let minimumVersion: UInt16 = 1
    /// Payload layout version written for every known frame type.
    public static let payloadVersion: UInt8 = 1
    /// Default TCP port a node listens on.
    public static let defaultPort: UInt16 = 29172
    /// Time allowed after the TLS handshake for the peer's HELLO to arrive.
    public static let helloTimeout: Duration = .seconds(10)
    /// Silence (nothing received) after which a PING is sent.
    public static let keepAliveInterval: Duration = .seconds(10)
    /// Silence (nothing received) after which the link is declared dead.
    public static let deadLinkTimeout: Duration = .seconds(30)
}
