import ParleyWire

/// The candidate pair ICE chose for a call's media: both sides' kinds and addresses.
public struct ICESelectedPair: Sendable, Equatable, CustomStringConvertible {
    public var localKind: ICECandidate.Kind
    public var local: String
    public var remoteKind: ICECandidate.Kind
    public var remote: String

    public init(localKind: ICECandidate.Kind, local: String, remoteKind: ICECandidate.Kind, remote: String) {
        self.localKind = localKind
        self.local = local
        self.remoteKind = remoteKind
        self.remote = remote
    }

    /// What the pair says about the path: through a relay if either end is relayed, else
    /// learnt from a check (prflx), else through the NATs' outsides (srflx), else direct (host).
    public var path: CallMediaPath {
        let kinds = [localKind, remoteKind]
        if kinds.contains(.relayed) { return .relay }
        if kinds.contains(.peerReflexive) { return .prflx }
        if kinds.contains(.serverReflexive) { return .srflx }
        return .host
    }

    public var description: String { "\(local) (\(localKind)) ↔ \(remote) (\(remoteKind))" }
}
