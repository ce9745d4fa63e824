import NIOCore

/// The clocks of a peer link.
public struct LinkTimings: Sendable {
    /// TLS handshake plus the peer's HELLO must complete within this.
    public var helloDeadline: TimeAmount
    /// A PING is sent after this long without receiving anything.
    public var keepAliveInterval: TimeAmount
    /// The link is dead after this many quiet keep-alive intervals.
    public var quietIntervalsBeforeDead: Int
    /// How long an outgoing TCP connection attempt may take.
    public var connectTimeout: TimeAmount

    public init(helloDeadline: TimeAmount = .seconds(10), keepAliveInterval: TimeAmount = .seconds(10),
                quietIntervalsBeforeDead: Int = 3, connectTimeout: TimeAmount = .seconds(30)) {
        self.helloDeadline = helloDeadline
        self.keepAliveInterval = keepAliveInterval
        self.quietIntervalsBeforeDead = quietIntervalsBeforeDead
        self.connectTimeout = connectTimeout
    }
}
