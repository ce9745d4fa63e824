/// The limits that keep strangers and contacts from exhausting a node:
/// connections that have not authenticated, contact requests, open offers.
/// Each has a config key; the defaults suit a person's node on the Internet.
public struct NodeLimits: Sendable, Equatable {
    /// Seconds a new connection has to finish TLS and HELLO (`handshake_timeout`).
    public var handshakeTimeout = 10
    /// Connections still in their handshake, in total (`max_unauthenticated`); the oldest is dropped.
    public var maxUnauthenticated = 128
    /// Connections still in their handshake from one IP address (`max_unauthenticated_per_address`).
    public var maxUnauthenticatedPerAddress = 8
    /// Contact requests waiting for an answer (`max_pending_requests`); the oldest is dropped.
    public var maxPendingRequests = 100
    /// Contact requests accepted from one IP address per hour (`requests_per_address`).
    public var requestsPerAddressPerHour = 10
    /// Contact requests accepted from one contact ID per hour (`requests_per_id`).
    public var requestsPerIDPerHour = 3
    /// File offers from one contact waiting for an answer (`max_open_offers`); more are declined.
    public var maxOpenOffersPerContact = 50

    public init() {}

    /// The config keys these limits are read from.
    public static let keys: Set<String> = [
        "handshake_timeout", "max_unauthenticated", "max_unauthenticated_per_address", "max_pending_requests",
        "requests_per_address", "requests_per_id", "max_open_offers",
    ]

    /// The limits as configured, each checked against its range.
    public init(configuration: Configuration) throws(ConfigurationError) {
        let defaults = NodeLimits()
        handshakeTimeout = try configuration.integer(
            "handshake_timeout", default: defaults.handshakeTimeout, in: 1...120, unit: "seconds")
        maxUnauthenticated = try configuration.integer(
            "max_unauthenticated", default: defaults.maxUnauthenticated, in: 1...65_536)
        maxUnauthenticatedPerAddress = try configuration.integer(
            "max_unauthenticated_per_address", default: defaults.maxUnauthenticatedPerAddress, in: 1...65_536)
        maxPendingRequests = try configuration.integer(
            "max_pending_requests", default: defaults.maxPendingRequests, in: 1...100_000)
        requestsPerAddressPerHour = try configuration.integer(
            "requests_per_address", default: defaults.requestsPerAddressPerHour, in: 1...10_000)
        requestsPerIDPerHour = try configuration.integer(
            "requests_per_id", default: defaults.requestsPerIDPerHour, in: 1...10_000)
        maxOpenOffersPerContact = try configuration.integer(
            "max_open_offers", default: defaults.maxOpenOffersPerContact, in: 1...100_000)
    }
}
