import Foundation
import ParleyCore
import ParleyWire

/// A node event as `parley events` streams it: one JSON object per line, named fields,
/// those that do not apply omitted. Made from a typed ``NodeEvent`` at the control socket.
public struct EventLine: Codable, Sendable, Equatable {
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
        /// A contact started (`online` true) or stopped broadcasting to us.
        case broadcast
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

    /// The line for an event published at `at`.
    public init(_ published: PublishedEvent) {
        let at = published.at
        switch published.event {
        case .message(let peer, let message):
            self.init(.message, contact: peer.id, name: peer.name, at: at)
            id = message.id.uuidString
            body = message.body
            sentAt = message.sentAt
        case .receipt(let peer, let ids, let state):
            self.init(.receipt, contact: peer.id, name: peer.name, at: at)
            self.state = state.rawValue
            self.ids = ids.map(\.uuidString)
        case .presence(let peer, let online):
            self.init(.presence, contact: peer.id, name: peer.name, at: at)
            self.online = online
        case .typing(let peer, let active):
            self.init(.typing, contact: peer.id, name: peer.name, at: at)
            online = active
        case .contactRequest(let peer, let note, let address):
            self.init(.contactRequest, contact: peer.id, name: peer.name, at: at)
            self.note = note
            detail = address
        case .contactRequestSent(let peer, let answer):
            self.init(.contactRequestSent, contact: peer.id, name: peer.name, at: at)
            state = answer
        case .impersonation(let peer, let detail):
            self.init(.impersonation, contact: peer.id, name: peer.name, at: at)
            self.detail = detail
        case .linkError(let peer, let detail):
            self.init(.linkError, contact: peer.id, name: peer.name, at: at)
            self.detail = detail
        case .transfer(let kind, let peer, let transfer):
            let line: Kind = switch kind {
            case .offered: .fileOffer
            case .progress: .fileProgress
            case .stateChanged: .fileState
            case .completed: .fileComplete
            case .failed: .fileFailed
            }
            self.init(line, contact: peer.id, name: peer.name, at: at)
            id = transfer.id.uuidString
            file = transfer.fileName
            size = transfer.size
            if kind != .offered { bytes = transfer.bytesDone }
            if kind != .offered && kind != .progress {
                state = transfer.state.rawValue
                path = transfer.localPath
                detail = transfer.error
            }
        case .call(let event):
            self.init(call: event, at: at)
        }
    }

    private init(call event: CallEvent, at: Date) {
        func medium(_ video: Bool) -> String { video ? "video" : "audio" }
        func name(_ kind: CallMediaOffer.Kind) -> String { kind == .audio ? "audio" : "video" }
        let kind: Kind = switch event.what {
        case .incoming: .callIncoming
        case .ringing: .callRinging
        case .accepted: .callAccepted
        case .rejected: .callRejected
        case .media: .callMedia
        case .statistics: .callStats
        case .ended: .callEnded
        case .deviceError: .deviceError
        case .broadcast: .broadcast
        }
        self.init(kind, contact: event.peer.id, name: event.peer.name, at: at)
        call = event.call.uuidString
        switch event.what {
        case .incoming(let video):
            direction = CallDirection.incoming.rawValue
            media = medium(video)
        case .ringing(let video):
            direction = CallDirection.outgoing.rawValue
            media = medium(video)
        case .accepted(let direction, let video):
            self.direction = direction.rawValue
            media = medium(video)
        case .rejected(let refusal, let detail):
            reason = refusal.rawValue
            self.detail = detail
        case .media(let kind, let peerSending, let on):
            self.kind = name(kind)
            scope = peerSending ? "peer-sending" : "our-sending"
            online = on
        case .statistics(let statistics, let mediaPath, let duration):
            self.statistics = statistics
            self.mediaPath = mediaPath
            self.duration = duration
        case .ended(let ended):
            direction = ended.direction.rawValue
            media = medium(ended.video)
            reason = ended.cause.rawValue
            by = ended.byPeer.map { $0 ? "peer" : "local" }
            detail = ended.detail
            duration = ended.duration
            missed = ended.missed
        case .deviceError(let kind, let input, let detail):
            self.kind = name(kind)
            scope = input ? "input" : "output"
            self.detail = detail
        case .broadcast(let live, let video):
            online = live
            media = medium(video)
        }
    }

    enum CodingKeys: String, CodingKey {
        case event, contact, name, id, ids, body, state, online, note, detail, at, file, size, bytes, path
        case call, direction, media, reason, by, duration, kind, scope, missed, statistics
        case mediaPath = "media_path"
        case sentAt = "sent_at"
    }
}
