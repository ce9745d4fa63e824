import Foundation
import ParleyCore
import ParleyMedia

/// A live broadcast this node sends (`parley broadcast start`): the one encoding of its
/// microphone and camera (``BroadcastSender``), who may watch it, and when it started.
/// Its viewers are the legs of the ``Call`` that holds it.
final class Broadcast {
    let sender: BroadcastSender
    /// The contacts told of it and let in; nil: every contact (`--all`).
    let audience: Set<ContactID>?
    let startedAt = Date()
    /// The plain RTP copy for a media server (`--rtp`), and where its SDP was written.
    var rtp: BroadcastRTPOutput?
    var sdpPath: String?
    var stopped = false
    var stoppedAt: Date?
    /// Contacts told it is live (told again when their link comes back).
    var announced: Set<ContactID> = []

    init(sender: BroadcastSender, audience: Set<ContactID>?) {
        self.sender = sender
        self.audience = audience
    }

    /// Whether a contact may watch.
    func admits(_ contact: ContactID) -> Bool { audience?.contains(contact) ?? true }
}

/// What a viewer knows of a contact's live broadcast (from its CALL_BROADCAST).
struct BroadcastAnnouncement: Sendable, Equatable {
    var id: UUID
    var video: Bool
    var at: Date
}
