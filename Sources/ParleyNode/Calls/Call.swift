import Foundation
import ParleyCore
import ParleyWire

/// One call as this node takes part in it: a leg per peer (one in a call between two, up
/// to five in a group call), sharing the call's ID and devices. Owned by ``CallManager``.
/// The call is over when every leg has ended; it is kept afterwards for `call status`.
final class Call {
    /// A group call has at most this many participants, this node included.
    static let maxParticipants = CallManagerLimits.maxContactsPerCall + 1

    let id: UUID
    /// Legs in the order they were placed or answered, ended ones included.
    var legs: [CallLeg] = []
    /// Whether we take part: we started the call or answered it (joining invitations from
    /// its other participants are then answered at once).
    var joined: Bool
    /// Other participants we were told of (in the invitation) and have no leg with yet.
    var members: [ContactID] = []
    /// Who told us of each member: a member we cannot reach ourselves (not a contact, or no
    /// link) is connected through that participant.
    var memberVia: [ContactID: ContactID] = [:]
    /// Joining invitations that came while this call still rang here (answered or refused
    /// with it), with the ICE candidates that followed them.
    var pendingJoins: [PendingJoin] = []

    struct PendingJoin {
        var invite: CallInvite
        var contact: Contact
        /// The participant that carried the invitation (nil: the contact's own link).
        var via: Contact?
        var candidates: [CallCandidates] = []
    }
    /// The devices, opened at the first leg's media.
    var hub: CallDeviceHub?
    /// A broadcast we send: its legs are its viewers, and it lasts until it is stopped
    /// (viewers come and go).
    var broadcast: Broadcast?

    init(id: UUID, joined: Bool) {
        self.id = id
        self.joined = joined
    }

    /// Every leg has ended (or none was ever placed); a broadcast: it was stopped.
    var isEnded: Bool { broadcast.map(\.stopped) ?? legs.allSatisfy(\.isEnded) }

    /// The legs that have not ended.
    var liveLegs: [CallLeg] { legs.filter { !$0.isEnded } }

    /// The latest leg with a peer.
    func leg(with contact: ContactID) -> CallLeg? { legs.last { $0.peer.id == contact } }

    /// The leg that speaks for the call in its status: the first that has not ended, else the last.
    var mainLeg: CallLeg? { legs.first { !$0.isEnded } ?? legs.last }

    /// Participants besides us: live legs and those we were told of.
    var participantCount: Int { Set(liveLegs.map(\.peer.id)).union(members).count }

    /// The status of the call: its main leg's, with every leg as a participant.
    func status(now: ContinuousClock.Instant = .now) -> CallStatus? {
        guard var status = mainLeg?.status(now: now) else { return nil }
        status.participants = legs.map { leg in
            let via = leg.via?.name
            let leg = leg.status(now: now)
            return CallParticipant(contact: leg.contact, name: leg.name, direction: leg.direction, state: leg.state,
                                   reason: leg.reason, duration: leg.duration, mediaPath: leg.mediaPath,
                                   via: via, remote: leg.remote, statistics: leg.statistics)
        }
        return status
    }
}
