/// Why ICE could not carry a call's media (the call then goes on through the link).
public enum ICEError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libnice would not make an agent or a stream.
    case agentUnavailable(String)
    /// A STUN or TURN server's name did not resolve to an IPv4 address.
    case unresolvable(key: String, host: String)
    /// TURN is configured but gathering ended without a relayed candidate.
    case noRelayCandidate(server: String)
    /// Every candidate pair failed its checks.
    case checksFailed

    public var description: String {
        switch self {
        case .agentUnavailable(let what):
            "ICE agent unavailable (\(what)); media goes through the link"
        case .unresolvable(let key, let host):
            "\(key) server \(host) does not resolve to an IPv4 address; check the \(key) key"
        case .noRelayCandidate(let server):
            "TURN server \(server) gave no relayed address; check turn_user and turn_password/turn_secret and that the server is reachable"
        case .checksFailed:
            "no ICE candidate pair got through (blocked UDP or no STUN/TURN server); media goes through the link"
        }
    }
}
