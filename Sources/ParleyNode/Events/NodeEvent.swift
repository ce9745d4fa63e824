import Foundation
import ParleyCore

/// Something that happened in the node, as streamed by `parley events`
/// (one JSON object per line). Fields that do not apply are omitted.
public struct NodeEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A new incoming message was stored.
        case message
        /// Outgoing messages changed state (delivered or read).
        case receipt
        /// A contact came online or went offline.
        case presence
        /// A contact started or stopped typing.
        case typing
        /// An unknown peer asked to become a contact.
        case contactRequest = "contact-request"
        /// Our contact request reached a peer who does not have us yet.
        case contactRequestSent = "contact-request-sent"
        /// A peer presented a key that does not match the contact dialled.
        case impersonation
        /// A link could not be used, with the reason.
        case linkError = "link-error"
        /// A contact offers a file (id = transfer ID).
        case fileOffer = "file-offer"
        /// A transfer moved forward (throttled to about once a second per transfer).
        case fileProgress = "file-progress"
        /// A transfer changed state: accepted, paused, rejected, cancelled…
        case fileState = "file-state"
        /// A transfer finished and the file was verified (path = where it is).
        case fileComplete = "file-complete"
        /// A transfer failed (detail = why).
        case fileFailed = "file-failed"
        /// A contact calls us (call = its ID, media = audio or video).
        case callIncoming = "call-incoming"
        /// Our call rings at the contact's side.
        case callRinging = "call-ringing"
        /// The call was answered (by us or the peer).
        case callAccepted = "call-accepted"
        /// The contact refused our call (reason = declined, busy, unavailable).
        case callRejected = "call-rejected"
        /// The peer stopped or resumed a kind of media (kind, scope, online = on).
        case callMedia = "call-media"
        /// Live statistics, once a second while a call is active.
        case callStats = "call-stats"
        /// The call is over (reason, by, duration).
        case callEnded = "call-ended"
        /// A device could not be used (kind, detail); the call goes on without it.
        case deviceError = "device-error"
    }

    public var event: Kind
    public var contact: String?
    public var name: String?
    public var id: String?
    public var ids: [String]?
    public var body: String?
    public var state: String?
    public var online: Bool?
    public var note: String?
    public var detail: String?
    public var sentAt: Date?
    /// File transfers: the file's name, its size and the bytes done so far, the local path.
    public var file: String?
    public var size: UInt64?
    public var bytes: UInt64?
    public var path: String?
    /// Calls: the call ID, its direction, `audio` or `video`, how it ended and by whom, how
    /// long it lasted, the kind of media a `call-media` or `device-error` is about, whether it
    /// was missed, the media path, and statistics.
    public var call: String?
    public var direction: String?
    public var media: String?
    public var reason: String?
    public var by: String?
    public var duration: Double?
    public var kind: String?
    public var scope: String?
    public var missed: Bool?
    public var mediaPath: String?
    public var statistics: CallStatistics?
    public var at: Date

    public init(_ event: Kind, contact: ContactID? = nil, name: String? = nil, at: Date = Date()) {
        self.event = event
        self.contact = contact?.grouped
        self.name = name
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case event, contact, name, id, ids, body, state, online, note, detail, at, file, size, bytes, path
        case call, direction, media, reason, by, duration, kind, scope, missed, statistics
        case mediaPath = "media_path"
        case sentAt = "sent_at"
    }
}
