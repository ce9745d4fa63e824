import Foundation
import ParleyCore
import ParleyWire

/// Something that happened in the node, as the process itself sees it: typed IDs and
/// states. The control socket encodes each one as a JSON line (``EventLine``) for
/// `parley events`; the terminal UI reads them as they are.
public enum NodeEvent: Sendable, Equatable {
    /// A new incoming message was stored.
    case message(EventPeer, Message)
    /// Outgoing messages changed state (delivered or read).
    case receipt(EventPeer, ids: [UUID], state: MessageState)
    /// A contact came online or went offline.
    case presence(EventPeer, online: Bool)
    /// A contact started or stopped typing.
    case typing(EventPeer, active: Bool)
    /// An unknown peer asked to become a contact (from the address, when known).
    case contactRequest(EventPeer, note: String, address: String?)
    /// Our contact request reached a peer who does not have us yet (with its answer).
    case contactRequestSent(EventPeer, answer: String)
    /// A peer presented a key that does not match the contact dialled.
    case impersonation(EventPeer, detail: String)
    /// A link could not be used, with the reason.
    case linkError(EventPeer, detail: String)
    /// A file transfer was offered, moved forward, changed state, completed or failed.
    case transfer(TransferEventKind, EventPeer, Transfer)
    /// Something about a call.
    case call(CallEvent)
}

/// The contact (or stranger) an event is about.
public struct EventPeer: Sendable, Equatable {
    public var id: ContactID
    /// The contact's name here, or the name a stranger gave; nil when not known.
    public var name: String?

    public init(_ id: ContactID, name: String?) {
        self.id = id
        self.name = name
    }
}

/// What happened to a transfer.
public enum TransferEventKind: Sendable, Equatable {
    /// A contact offers a file.
    case offered
    /// Bytes moved (throttled to about once a second per transfer).
    case progress
    /// Accepted, paused, rejected, cancelled…
    case stateChanged
    /// Finished and verified.
    case completed
    case failed
}

/// Something about a call: which call, with whom, and what.
public struct CallEvent: Sendable, Equatable {
    public var call: UUID
    public var peer: EventPeer
    public var what: What

    public init(call: UUID, peer: EventPeer, what: What) {
        self.call = call
        self.peer = peer
        self.what = what
    }

    public enum What: Sendable, Equatable {
        /// A contact calls us.
        case incoming(video: Bool)
        /// Our call rings at the contact's side.
        case ringing(video: Bool)
        /// The call was answered (by us or the peer).
        case accepted(direction: CallDirection, video: Bool)
        /// The contact refused our call.
        case rejected(CallRefusal, detail: String?)
        /// The peer stopped (`on` false) or resumed a kind of media: its sending, or ours
        /// (it asked us to stop or resume sending).
        case media(CallMediaOffer.Kind, peerSending: Bool, on: Bool)
        /// Live statistics, once a second while active.
        case statistics(CallStatistics, mediaPath: String?, duration: Double?)
        /// The call is over.
        case ended(CallEnded)
        /// A device could not be used (an input or an output); the call goes on without it.
        case deviceError(CallMediaOffer.Kind, input: Bool, detail: String)
        /// The contact broadcasts to us (`live`; watch it with `parley broadcast watch`), or stopped.
        case broadcast(live: Bool, video: Bool)
    }
}

/// How a call ended, for the `call-ended` event.
public struct CallEnded: Sendable, Equatable {
    public var direction: CallDirection
    public var video: Bool
    public var cause: CallEnd.Cause
    /// Whether the peer ended it; nil where nobody did (a time-out, a lost link).
    public var byPeer: Bool?
    public var detail: String?
    public var duration: Double?
    public var missed: Bool

    public init(direction: CallDirection, video: Bool, cause: CallEnd.Cause, byPeer: Bool?, detail: String?, duration: Double?,
                missed: Bool) {
        self.direction = direction
        self.video = video
        self.cause = cause
        self.byPeer = byPeer
        self.detail = detail
        self.duration = duration
        self.missed = missed
    }
}

/// An event with the time it was published.
public struct PublishedEvent: Sendable {
    public var event: NodeEvent
    public var at: Date
}
