import Foundation

/// One call in the call log: placed or received, answered or not.
public struct CallRecord: Sendable, Equatable {
    /// How a call turned out, as the `calls` table stores it.
    public enum Outcome: String, Sendable, Equatable {
        case answered, missed, rejected, cancelled, failed
    }

    public var id: UUID
    public var contactID: ContactID
    public var direction: CallDirection
    /// Whether video was part of the call (else audio only).
    public var video: Bool
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    public var outcome: Outcome?
    /// The cause (`hung-up`, `no-answer`, …; see ``CallEnd/Cause``), with what failed.
    public var endReason: String?

    public init(id: UUID, contactID: ContactID, direction: CallDirection, video: Bool, startedAt: Date,
                answeredAt: Date? = nil, endedAt: Date? = nil, outcome: Outcome? = nil, endReason: String? = nil) {
        self.id = id
        self.contactID = contactID
        self.direction = direction
        self.video = video
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.endReason = endReason
    }

    /// An incoming call nobody answered or declined.
    public var isMissed: Bool { outcome == .missed }

    /// Seconds from answer to end (nil when never answered or not ended).
    public var duration: TimeInterval? {
        guard let answeredAt, let endedAt else { return nil }
        return max(0, endedAt.timeIntervalSince(answeredAt))
    }

    /// The outcome a call of this direction gets for how it ended, answered or not.
    public static func outcome(direction: CallDirection, answered: Bool, end: CallEnd) -> Outcome {
        if answered { return .answered }
        switch (direction, end.cause) {
        case (_, .failed): return .failed
        case (.outgoing, .declined), (.outgoing, .busy), (.outgoing, .unavailable): return .rejected
        case (.outgoing, .connectionLost): return .failed
        case (.outgoing, _): return .cancelled
        case (.incoming, .declined): return end.byPeer == false ? .rejected : .missed
        case (.incoming, _): return .missed
        }
    }

    /// Words for the log and the conversation: "video call, 3 min 12 s", "missed call".
    public var summary: String {
        let kind = video ? "video call" : "call"
        switch outcome {
        case .answered:
            return "\(kind), \(Self.format(duration ?? 0))"
        case .missed: return "missed \(kind)"
        case .rejected: return direction == .incoming ? "declined \(kind)" : "\(kind) declined (\(endReason ?? "declined"))"
        case .cancelled: return "\(kind), \(endReason == CallEnd.Cause.noAnswer.rawValue ? "no answer" : "cancelled")"
        case .failed: return "\(kind) failed (\(endReason ?? "unknown"))"
        case nil: return "\(kind) in progress"
        }
    }

    /// "3 min 12 s", "45 s", "1 h 2 min".
    public static func format(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.isFinite ? min(max(0, seconds), 1e9).rounded() : 0)
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \(total % 3600 / 60) min"
    }
}
