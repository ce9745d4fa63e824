/// The life of one call with one peer, as a pure state machine: `handle(_:)` maps
/// (state, event) to the new state and the actions its owner carries out (frames to send,
/// timers, media). No I/O, no clocks: the owner turns timers and packets into events.
///
/// A call with several participants runs one machine per participant (its leg); two
/// participants — one leg — is the common case.
public struct CallMachine: Sendable, Equatable {
    /// Where the call is.
    public enum State: Sendable, Equatable {
        /// We sent the invitation; the peer has not said it rings yet.
        case calling
        /// The peer's side rings.
        case ringingOut
        /// Our side rings: the user may answer or decline.
        case ringingIn
        /// Answered; media has not arrived yet.
        case connecting
        /// Media flows.
        case active
        /// Over, and why.
        case ended(CallEnd)

        /// The name used in `call status` and events.
        public var name: String {
            switch self {
            case .calling: "calling"
            case .ringingOut: "ringing-out"
            case .ringingIn: "ringing-in"
            case .connecting: "connecting"
            case .active: "active"
            case .ended: "ended"
            }
        }

        public var isEnded: Bool { if case .ended = self { true } else { false } }
        public var isRinging: Bool { self == .calling || self == .ringingOut || self == .ringingIn }
        public var isAnswered: Bool { self == .connecting || self == .active }
    }

    /// Something that happened to the call.
    public enum Event: Sendable, Equatable {
        /// The peer's side rings (CALL_RINGING).
        case peerRinging
        /// The peer answered (CALL_ACCEPT).
        case peerAccepted
        /// The peer refused (CALL_REJECT).
        case peerRejected(CallRefusal)
        /// The caller gave up while it rang (CALL_CANCEL).
        case peerCancelled
        /// The peer hung up (CALL_HANGUP).
        case peerHungUp(CallEnd.Cause)
        /// The user answered.
        case localAccept
        /// The user declined.
        case localReject
        /// The user hung up (or cancelled while it rang).
        case localHangup
        /// The ring time-out passed.
        case ringTimeout
        /// The first media from the peer arrived.
        case mediaArrived
        /// The link to the peer went down.
        case linkDown
        /// Neither media nor link for the allowed time.
        case connectionLost
        /// Something on our side failed (what).
        case failed(String)
    }

    /// What the owner does after a transition, in order.
    public enum Action: Sendable, Equatable {
        case sendAccept
        case sendReject(CallRefusal)
        case sendCancel
        case sendHangup(CallEnd.Cause)
        case stopRingTimer
        case startMedia
        case stopMedia
    }

    public let direction: CallDirection
    public private(set) var state: State

    /// A machine for a call we place (the invitation is being sent) or one we receive (the
    /// owner sends CALL_RINGING and starts the ring timer as it creates it).
    public init(direction: CallDirection) {
        self.direction = direction
        state = direction == .outgoing ? .calling : .ringingIn
    }

    /// Applies `event`; returns the actions to carry out. Events that do not apply in the
    /// current state change nothing and return no actions.
    @discardableResult
    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.calling, .peerRinging):
            state = .ringingOut
            return []
        case (.calling, .peerAccepted), (.ringingOut, .peerAccepted):
            state = .connecting
            return [.stopRingTimer, .startMedia]
        case (.calling, .peerRejected(let refusal)), (.ringingOut, .peerRejected(let refusal)):
            state = .ended(CallEnd(refusal))
            return [.stopRingTimer]
        case (.calling, .ringTimeout), (.ringingOut, .ringTimeout):
            state = .ended(CallEnd(.noAnswer))
            return [.sendCancel]
        case (.calling, .localHangup), (.ringingOut, .localHangup):
            state = .ended(CallEnd(.cancelled, byPeer: false))
            return [.stopRingTimer, .sendCancel]
        case (.calling, .linkDown), (.ringingOut, .linkDown), (.ringingIn, .linkDown):
            state = .ended(CallEnd(.connectionLost))
            return [.stopRingTimer]
        case (.calling, .failed(let what)), (.ringingOut, .failed(let what)):
            state = .ended(CallEnd(.failed, detail: what))
            return [.stopRingTimer, .sendCancel]

        case (.ringingIn, .localAccept):
            state = .connecting
            return [.stopRingTimer, .sendAccept, .startMedia]
        case (.ringingIn, .localReject):
            state = .ended(CallEnd(.declined, byPeer: false))
            return [.stopRingTimer, .sendReject(.declined)]
        case (.ringingIn, .peerCancelled):
            state = .ended(CallEnd(.cancelled, byPeer: true))
            return [.stopRingTimer]
        case (.ringingIn, .ringTimeout):
            state = .ended(CallEnd(.noAnswer))
            return []
        case (.ringingIn, .failed(let what)):
            state = .ended(CallEnd(.failed, detail: what))
            return [.stopRingTimer, .sendReject(.unavailable)]

        case (.connecting, .mediaArrived):
            state = .active
            return []
        case (.connecting, .localHangup), (.active, .localHangup):
            state = .ended(CallEnd(.hungUp, byPeer: false))
            return [.sendHangup(.hungUp), .stopMedia]
        case (.connecting, .peerHungUp(let cause)), (.active, .peerHungUp(let cause)):
            state = .ended(CallEnd(cause, byPeer: true))
            return [.stopMedia]
        case (.connecting, .connectionLost), (.active, .connectionLost):
            state = .ended(CallEnd(.connectionLost))
            return [.sendHangup(.connectionLost), .stopMedia]
        case (.connecting, .failed(let what)), (.active, .failed(let what)):
            state = .ended(CallEnd(.failed, detail: what))
            return [.sendHangup(.failed), .stopMedia]

        default:
            return []
        }
    }
}

/// Which side placed the call.
public enum CallDirection: String, Sendable, Equatable, Codable {
    case outgoing = "out"
    case incoming = "in"
}

/// Why a callee refused.
public enum CallRefusal: String, Sendable, Equatable, CaseIterable {
    case declined
    case busy
    case unavailable
}

/// How a call ended.
public struct CallEnd: Sendable, Equatable {
    /// The kinds of ending, named as `call-ended` events and `call status` say them.
    public enum Cause: String, Sendable, Equatable, CaseIterable {
        case hungUp = "hung-up"
        case declined
        case busy
        case unavailable
        case noAnswer = "no-answer"
        case cancelled
        case connectionLost = "connection-lost"
        case failed
    }

    public var cause: Cause
    /// Whether the peer's side ended it (hung up, declined, cancelled); nil where nobody did.
    public var byPeer: Bool?
    /// What failed, for `.failed`.
    public var detail: String?

    public init(_ cause: Cause, byPeer: Bool? = nil, detail: String? = nil) {
        self.cause = cause
        self.byPeer = byPeer
        self.detail = detail
    }

    init(_ refusal: CallRefusal) {
        switch refusal {
        case .declined: self.init(.declined, byPeer: true)
        case .busy: self.init(.busy, byPeer: true)
        case .unavailable: self.init(.unavailable, byPeer: true)
        }
    }

    /// Words for people: "bob declined", "no answer".
    public var sentence: String {
        switch cause {
        case .hungUp: byPeer == true ? "the other side hung up" : "you hung up"
        case .declined: byPeer == true ? "declined" : "you declined"
        case .busy: "busy (in another call)"
        case .unavailable: "unavailable"
        case .noAnswer: "no answer"
        case .cancelled: byPeer == true ? "cancelled by the caller" : "cancelled"
        case .connectionLost: "connection lost"
        case .failed: "failed: \(detail ?? "unknown error")"
        }
    }
}
