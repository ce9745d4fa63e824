import Foundation
import ParleyCore

/// One side's media states in a call: what it sends and what it takes in, per kind.
public struct CallMediaStates: Codable, Sendable, Equatable {
    /// Sending audio (microphone on), sending video (camera on).
    public var audioOut: Bool
    public var videoOut: Bool
    /// Taking in audio (not deafened), taking in video (not hidden).
    public var audioIn: Bool
    public var videoIn: Bool

    public init(audioOut: Bool = false, videoOut: Bool = false, audioIn: Bool = false, videoIn: Bool = false) {
        self.audioOut = audioOut
        self.videoOut = videoOut
        self.audioIn = audioIn
        self.videoIn = videoIn
    }

    enum CodingKeys: String, CodingKey {
        case audioOut = "audio_out", videoOut = "video_out", audioIn = "audio_in", videoIn = "video_in"
    }
}

/// `parley call status`: a call as the CLI, scripts and the UI see it.
public struct CallStatus: Codable, Sendable, Equatable {
    public var id: String
    public var contact: String
    public var name: String
    public var direction: String
    /// calling, ringing-out, ringing-in, connecting, active, ended.
    public var state: String
    public var video: Bool
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    /// Seconds since the answer (to the end, once ended).
    public var duration: Double?
    /// Seconds left before the ring time-out, while it rings.
    public var ringRemaining: Double?
    /// How it ended (`hung-up`, `declined`, …) and by whom (`local`, `peer`).
    public var reason: String?
    public var by: String?
    public var detail: String?
    /// Our media states and the peer's.
    public var local: CallMediaStates
    public var remote: CallMediaStates
    /// Once media runs: `host`, `srflx`, `prflx` or `relay` (the kind of ICE pair carrying it,
    /// see ``CallMediaPath``) or `link` (the TLS link's tunnel).
    public var mediaPath: String?
    /// The peer's address of the selected ICE pair.
    public var remoteAddress: String?
    /// Our address of the selected ICE pair.
    public var localAddress: String? = nil
    /// What went wrong with ICE (unreachable servers, no relay, failed checks), oldest first.
    public var iceErrors: [String]? = nil
    /// How many times ICE restarted during the call (after an address change or a media outage).
    public var iceRestarts: Int? = nil
    /// Devices that failed, with why.
    public var deviceErrors: [String]
    /// Live statistics per stream sent and received (JSON objects as the media engine reports them).
    public var statistics: CallStatistics?
    /// Fingerprints (first 16 hex digits of SHA-256) of the SRTP keys for what we send and
    /// what we receive: the peer shows the same two the other way round. Never the keys.
    public var keys: [String: String]?
    /// Every peer of the call, one entry per leg (one in a call between two, the legs that
    /// ended included), in the order they joined. The fields above are the first live leg's.
    public var participants: [CallParticipant]? = nil

    /// The participants whose legs have not ended.
    public var liveParticipants: [CallParticipant] { (participants ?? []).filter { $0.state != "ended" } }

    enum CodingKeys: String, CodingKey {
        case id, contact, name, direction, state, video, duration, reason, by, detail, local, remote, statistics, participants
        case startedAt = "started_at", answeredAt = "answered_at", endedAt = "ended_at"
        case ringRemaining = "ring_remaining", mediaPath = "media_path", remoteAddress = "remote_address"
        case localAddress = "local_address", iceErrors = "ice_errors", iceRestarts = "ice_restarts"
        case deviceErrors = "device_errors", keys
    }
}

/// One peer of a call (`call status --json`'s `participants`).
public struct CallParticipant: Codable, Sendable, Equatable {
    public var contact: String
    public var name: String
    /// Who placed this leg: `outgoing` (us) or `incoming`.
    public var direction: String
    /// The leg's state: calling, ringing-out, ringing-in, connecting, active, ended.
    public var state: String
    /// How the leg ended (`hung-up`, `declined`, …).
    public var reason: String?
    public var duration: Double?
    /// As ``CallStatus/mediaPath``.
    public var mediaPath: String?
    /// The participant that carries this leg (its signalling, and its media when `media_path`
    /// is `forwarded`): for two participants that are not contacts of each other.
    public var via: String?
    /// The peer's media states.
    public var remote: CallMediaStates
    public var statistics: CallStatistics?

    enum CodingKeys: String, CodingKey {
        case contact, name, direction, state, reason, duration, remote, statistics, via
        case mediaPath = "media_path"
    }
}

/// A call's live statistics: one entry per stream sent and received.
public struct CallStatistics: Codable, Sendable, Equatable {
    public struct Stream: Codable, Sendable, Equatable {
        public var codec: String
        public var packets: Int
        public var bytes: Int
        public var bitrate: Int
        public var lost: Int?
        public var lossFraction: Double?
        public var jitterMilliseconds: Double?
        public var roundTripMilliseconds: Double?
        public var jitterBufferMilliseconds: Double?
        public var framesConcealed: Int?
        public var framesRecovered: Int?
        /// Received audio: 20 ms of silence added in pauses (the delay grown ahead of a probe of the path).
        public var framesInserted: Int?
        public var framesPerSecond: Double?
        public var width: Int?
        public var height: Int?
        public var keyframeRequests: Int?
        public var decoderErrors: Int?
        public var rejected: Int?
        /// Sent video: packets sent again at the receiver's request (NACK), and requests not
        /// answered (too old, just resent, over the retransmission budget).
        public var retransmitted: Int?
        public var retransmissionsRefused: Int?
        /// Sent video: the rate the encoder aims at, and the receiver's estimate of the path (REMB).
        public var targetBitrate: Int?
        public var receiverEstimate: Int?

        public init(codec: String, packets: Int = 0, bytes: Int = 0, bitrate: Int = 0) {
            self.codec = codec
            self.packets = packets
            self.bytes = bytes
            self.bitrate = bitrate
        }

        enum CodingKeys: String, CodingKey {
            case codec, packets, bytes, bitrate, lost, width, height, rejected
            case lossFraction = "loss_fraction", jitterMilliseconds = "jitter_ms", roundTripMilliseconds = "rtt_ms"
            case jitterBufferMilliseconds = "jitter_buffer_ms", framesConcealed = "frames_concealed"
            case framesRecovered = "frames_recovered", framesInserted = "frames_inserted", framesPerSecond = "fps", keyframeRequests = "keyframe_requests"
            case decoderErrors = "decoder_errors", targetBitrate = "target_bitrate", receiverEstimate = "receiver_estimate"
            case retransmitted, retransmissionsRefused = "retransmissions_refused"
        }
    }

    public var audioSent: Stream?
    public var videoSent: Stream?
    public var audioReceived: Stream?
    public var videoReceived: Stream?
    /// How far the picture leads the sound at the receiver (negative: it lags).
    public var videoLeadMilliseconds: Double?
    public var mediaPath: String?
    /// Datagrams the session refused (failed SRTP authentication, unknown SSRC or payload
    /// type, too short) and dropped (its queue full).
    public var datagramsRejected: Int?
    public var datagramsDropped: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case audioSent = "audio_sent", videoSent = "video_sent", audioReceived = "audio_received", videoReceived = "video_received"
        case videoLeadMilliseconds = "video_lead_ms", mediaPath = "media_path"
        case datagramsRejected = "datagrams_rejected", datagramsDropped = "datagrams_dropped"
    }
}

/// `parley call log`: one line of the call log.
public struct CallLogEntry: Codable, Sendable, Equatable {
    public var id: String
    public var contact: String
    public var name: String
    public var direction: String
    public var video: Bool
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    public var duration: Double?
    public var outcome: String?
    public var reason: String?
    public var missed: Bool
    public var summary: String

    public init(_ record: CallRecord, name: String) {
        id = record.id.uuidString
        contact = record.contactID.grouped
        self.name = name
        direction = record.direction.rawValue
        video = record.video
        startedAt = record.startedAt
        answeredAt = record.answeredAt
        endedAt = record.endedAt
        duration = record.duration
        outcome = record.outcome?.rawValue
        reason = record.endReason
        missed = record.isMissed
        summary = record.summary
    }

    enum CodingKeys: String, CodingKey {
        case id, contact, name, direction, video, duration, outcome, reason, missed, summary
        case startedAt = "started_at", answeredAt = "answered_at", endedAt = "ended_at"
    }
}
