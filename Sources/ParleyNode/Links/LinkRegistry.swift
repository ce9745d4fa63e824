import ParleyCore

/// The node's live links: at most one per contact.
///
/// When two links to the same contact overlap, the one to keep is decided
/// the same way on both sides: within a few seconds of each other (both
/// peers dialled at once) the link opened by the peer with the smaller ID
/// wins; otherwise the newer link wins (the older one is most likely dead).
actor LinkRegistry {
    /// Links established closer together than this are treated as a simultaneous dial.
    static let raceWindow: Duration = .seconds(5)

    enum Decision {
        case accepted(replacing: PeerSession?)
        case rejected(keeping: PeerSession)
    }

    private let ownID: ContactID
    private var sessions: [ContactID: PeerSession] = [:]

    init(ownID: ContactID) {
        self.ownID = ownID
    }

    func register(_ session: PeerSession) -> Decision {
        guard let existing = sessions[session.peerID] else {
            sessions[session.peerID] = session
            return .accepted(replacing: nil)
        }
        let simultaneous = existing.establishedAt.duration(to: session.establishedAt) < Self.raceWindow
        if simultaneous && existing.initiator != session.initiator {
            let preferred = min(ownID, session.peerID)
            guard session.initiator == preferred else { return .rejected(keeping: existing) }
        }
        sessions[session.peerID] = session
        return .accepted(replacing: existing)
    }

    /// Removes `session` if it is still the registered one; true if it was.
    @discardableResult
    func unregister(_ session: PeerSession) -> Bool {
        guard sessions[session.peerID] === session else { return false }
        sessions[session.peerID] = nil
        return true
    }

    func session(for id: ContactID) -> PeerSession? { sessions[id] }

    var online: Set<ContactID> { Set(sessions.keys) }

    var all: [PeerSession] { Array(sessions.values) }
}
