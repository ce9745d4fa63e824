/// Why a call operation could not be done; each says what to do.
public enum CallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The contact has no link up.
    case offline(String)
    /// The contact's Parley does not take calls.
    case peerCannotCall(String)
    /// A call is already going on.
    case alreadyInCall(String)
    /// No call matches (none going on, or the ID is unknown).
    case noSuchCall(String?)
    /// The operation does not apply to the call in its state (accepting an outgoing call…).
    case wrongState(String)
    /// A device option or config key could not be used.
    case badDevice(String)
    /// The media could not be set up (socket, codec).
    case mediaFailed(String)
    /// This node broadcasts; a call or another broadcast waits until it stops.
    case broadcasting
    /// No broadcast matches (we send none; the contact announced none).
    case noSuchBroadcast(String?)

    public var description: String {
        switch self {
        case .offline(let name):
            "\(name) is offline; a call needs the contact online (`parley status` shows who is)"
        case .peerCannotCall(let name):
            "\(name)'s Parley does not take calls; they need a newer version"
        case .alreadyInCall(let peer):
            "already in a call with \(peer); hang up first (`parley call hangup`)"
        case .noSuchCall(let id):
            id.map { "no call \($0) (see `parley call status`)" } ?? "no call is going on"
        case .wrongState(let what):
            what
        case .badDevice(let what):
            what
        case .mediaFailed(let what):
            "the call's media could not be set up: \(what)"
        case .broadcasting:
            "you are broadcasting; stop first (`parley broadcast stop`)"
        case .noSuchBroadcast(let name):
            name.map { "\($0) is not broadcasting to you (`parley broadcast list` shows who is)" }
                ?? "no broadcast is going on (`parley broadcast start` begins one)"
        }
    }
}
