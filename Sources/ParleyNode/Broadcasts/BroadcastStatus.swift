import Foundation

/// `parley broadcast status`: the broadcast this node sends, its viewers (as a call's
/// participants: state, path, statistics) and what its encoders send.
public struct BroadcastStatus: Codable, Sendable, Equatable {
    public var id: String
    /// "live" or "stopped".
    public var state: String
    public var startedAt: Date
    public var stoppedAt: Date?
    public var audio: Bool
    public var video: Bool
    /// The contacts it was announced to (names); nil: every contact (`--all`).
    public var audience: [String]?
    /// Viewers now watching, and every viewer so far (ended ones included) in `viewers`.
    public var watching: Int
    public var viewers: [CallParticipant]
    /// What the encoders send (the same stream to every viewer).
    public var sent: CallStatistics?
    /// The media server that gets the plain RTP copy (`--rtp`: audio to PORT, video to
    /// PORT + 2), and the SDP file that describes it.
    public var rtp: String?
    public var sdp: String?

    enum CodingKeys: String, CodingKey {
        case id, state, audio, video, audience, watching, viewers, sent, rtp, sdp
        case startedAt = "started_at", stoppedAt = "stopped_at"
    }
}

/// A contact's live broadcast we may watch (`parley broadcast list`).
public struct BroadcastOffer: Codable, Sendable, Equatable {
    public var id: String
    public var contact: String
    public var name: String
    public var video: Bool
    public var since: Date
}
