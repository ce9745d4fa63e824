/// How a call's media datagrams travel right now.
public enum CallMediaPath: String, Sendable, Codable, CaseIterable {
    /// ICE pair between the peers' own interface addresses.
    case host
    /// ICE pair through a NAT's outside address learnt from a STUN (or TURN) server.
    case srflx
    /// ICE pair through an address learnt from a connectivity check.
    case prflx
    /// ICE pair through a TURN server's relayed address.
    case relay
    /// DATAGRAM frames inside the TLS link (when ICE finds no pair that works).
    case link
    /// DATAGRAM frames forwarded by a third participant of a group call (CALL_RELAY), for two
    /// that have no link of their own and no ICE pair: still encrypted end to end.
    case forwarded
}
