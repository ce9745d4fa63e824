import Foundation
import ParleyCore
import ParleyWire

extension NodeEvent {
    /// The typed event again from a line of `parley events` (for a UI attached to a node in
    /// another process); nil for a line it cannot read (a newer node's event kind, say).
    /// Transfers come back with what the line carries; the rest is in the database.
    public init?(line: EventLine) {
        guard let contactText = line.contact, let contact = try? ContactID(parsing: contactText) else { return nil }
        let peer = EventPeer(contact, name: line.name)
        switch line.event {
        case .message:
            guard let id = line.id.flatMap(UUID.init(uuidString:)), let body = line.body else { return nil }
            self = .message(peer, Message(id: id, contactID: contact, direction: .incoming, body: body,
                                          sentAt: line.sentAt ?? line.at, receivedAt: line.at, state: .delivered))
        case .receipt:
            guard let state = line.state.flatMap(MessageState.init(rawValue:)) else { return nil }
            self = .receipt(peer, ids: (line.ids ?? []).compactMap(UUID.init(uuidString:)), state: state)
        case .presence: self = .presence(peer, online: line.online ?? false)
        case .typing: self = .typing(peer, active: line.online ?? false)
        case .contactRequest: self = .contactRequest(peer, note: line.note ?? "", address: line.detail)
        case .contactRequestSent: self = .contactRequestSent(peer, answer: line.state ?? "")
        case .impersonation: self = .impersonation(peer, detail: line.detail ?? "")
        case .linkError: self = .linkError(peer, detail: line.detail ?? "")
        case .fileOffer, .fileProgress, .fileState, .fileComplete, .fileFailed:
            guard let id = line.id.flatMap(UUID.init(uuidString:)) else { return nil }
            let kind: TransferEventKind = switch line.event {
            case .fileOffer: .offered
            case .fileProgress: .progress
            case .fileComplete: .completed
            case .fileFailed: .failed
            default: .stateChanged
            }
            let state = line.state.flatMap(TransferState.init(rawValue:)) ?? (kind == .offered ? .offered : .active)
            let transfer = Transfer(id: id, contactID: contact, direction: kind == .offered ? .incoming : .outgoing,
                                    fileName: line.file ?? "", localPath: line.path, size: line.size ?? 0, sha256: "",
                                    bytesDone: line.bytes ?? 0, state: state, error: line.detail)
            self = .transfer(kind, peer, transfer)
        default:
            guard let call = line.call.flatMap(UUID.init(uuidString:)), let what = Self.callWhat(line) else { return nil }
            self = .call(CallEvent(call: call, peer: peer, what: what))
        }
    }

    private static func callWhat(_ line: EventLine) -> CallEvent.What? {
        let video = line.media == "video"
        let kind: CallMediaOffer.Kind = line.kind == "video" ? .video : .audio
        switch line.event {
        case .callIncoming: return .incoming(video: video)
        case .callRinging: return .ringing(video: video)
        case .callAccepted:
            return .accepted(direction: line.direction.flatMap(CallDirection.init(rawValue:)) ?? .outgoing, video: video)
        case .callRejected:
            return .rejected(line.reason.flatMap(CallRefusal.init(rawValue:)) ?? .declined, detail: line.detail)
        case .callMedia: return .media(kind, peerSending: line.scope == "peer-sending", on: line.online ?? false)
        case .callStats: return .statistics(line.statistics ?? CallStatistics(), mediaPath: line.mediaPath, duration: line.duration)
        case .callEnded:
            guard let cause = line.reason.flatMap(CallEnd.Cause.init(rawValue:)) else { return nil }
            return .ended(CallEnded(direction: line.direction.flatMap(CallDirection.init(rawValue:)) ?? .outgoing, video: video,
                                    cause: cause, byPeer: line.by.map { $0 == "peer" }, detail: line.detail,
                                    duration: line.duration, missed: line.missed ?? false))
        case .deviceError: return .deviceError(kind, input: line.scope == "input", detail: line.detail ?? "")
        case .broadcast: return .broadcast(live: line.online ?? false, video: video)
        default: return nil
        }
    }
}
