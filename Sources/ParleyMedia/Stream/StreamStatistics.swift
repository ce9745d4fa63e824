/// Statistics of one received RTP stream, for `parley stream receive --stats` and the
/// call screen. Rates are over the last second; counters are since the start.
public struct ReceivedStreamStatistics: Codable, Equatable, Sendable {
    public var kind: MediaDescription.Kind
    public var ssrc: UInt32?
    public var packetsReceived: Int64 = 0
    /// Packets lost (expected − received, RFC 3550), negative when duplicates arrived.
    public var packetsLost: Int64 = 0
    /// Lost / expected since the start, 0…1.
    public var lossFraction: Double = 0
    /// RFC 3550 interarrival jitter, milliseconds.
    public var jitterMilliseconds: Double = 0
    /// Payload + header bits per second over the last second.
    public var bitrate: Int = 0
    /// Datagrams refused: not RTP/RTCP, wrong payload type, failed SRTP authentication.
    public var packetsRejected: Int64 = 0
    /// Decoder failures (a corrupt frame, an invalid Opus packet). Zero on a healthy stream.
    public var decoderErrors: Int64 = 0
    /// Packets received but dropped unplayed because receiving this kind was stopped
    /// locally (a call's deafen / hide video); nil outside calls.
    public var packetsDiscarded: Int64?
    public var receiverReportsSent = 0
    public var senderReportsReceived = 0
    public var byeReceived = false

    // Audio.
    /// Current playout delay of the jitter buffer and the delay it aims for, milliseconds.
    public var jitterBufferDelayMilliseconds: Double?
    public var jitterBufferTargetMilliseconds: Double?
    /// 20 ms frames decoded, concealed by PLC, recovered from FEC, dropped (late, too much delay).
    public var framesDecoded: Int64 = 0
    public var framesConcealed: Int64?
    public var framesRecovered: Int64?
    public var framesDropped: Int64?
    /// 20 ms of silence added in pauses to grow the delay (a reserve for a probe of the path).
    public var framesInserted: Int64?
    public var packetsLate: Int64?
    /// The longest run of concealed audio between two decoded frames, milliseconds.
    public var longestGapMilliseconds: Int?
    /// Frames the sink dropped because the device was too far behind.
    public var sinkFramesDropped: Int?

    // Video.
    public var framesPerSecond: Double?
    public var width: Int?
    public var height: Int?
    /// Keyframe requests (RTCP PLI) sent.
    public var keyframeRequestsSent: Int?
    public var keyframesReceived: Int?
    /// Retransmission (generic NACK), when the sender answers it: packets asked for again
    /// (each request counts), packets that came back, packets given up on, and how long a
    /// missing packet is waited for now.
    public var packetsRequested: Int64?
    public var packetsRecovered: Int64?
    public var packetsAbandoned: Int64?
    public var retransmissionWaitMilliseconds: Double?
    /// The bit rate this receiver estimates the path carries (sent as RTCP REMB), and the
    /// trend of the frames' delay it comes from (seconds per second; above 0.04 the path is
    /// overused).
    public var bandwidthEstimate: Int?
    public var delayTrend: Double?
    /// Lip sync (RFC 3550 §6.4.1, from both streams' sender reports): how much later the
    /// picture shown last was captured than the sound playing then; positive = video ahead.
    public var videoLeadMilliseconds: Double?
    /// How long the last picture was held back because it was ahead of the sound (lip
    /// sync correction), milliseconds.
    public var videoHoldMilliseconds: Double?

    public init(kind: MediaDescription.Kind) {
        self.kind = kind
    }
}

/// Statistics of one sent RTP stream, from its own counters and the peer's receiver reports.
public struct SentStreamStatistics: Codable, Equatable, Sendable {
    public var kind: MediaDescription.Kind
    public var ssrc: UInt32
    public var packetsSent: Int64 = 0
    public var framesSent: Int64 = 0
    /// Bits per second over the last second (RTP headers included).
    public var bitrate: Int = 0
    public var senderReportsSent = 0
    public var receiverReportsReceived = 0
    /// Round-trip time from the last report block (LSR/DLSR), milliseconds.
    public var roundTripMilliseconds: Double?
    /// Fraction lost the receiver reported last, 0…1.
    public var reportedLossFraction: Double?
    /// Jitter the receiver reported last, milliseconds.
    public var reportedJitterMilliseconds: Double?
    public var keyframeRequestsReceived = 0
    public var keyframesSent: Int?
    /// Packets sent again on request (generic NACK), and requested ones refused (too old,
    /// no longer kept, just resent, or over the retransmission budget).
    public var packetsRetransmitted: Int64?
    public var retransmissionsRefused: Int64?
    public var width: Int?
    public var height: Int?
    /// Opus packet-loss setting in use (from the receiver reports), percent.
    public var encoderLossPercentage: Int?
    /// Video: the receiver's estimate of the path (RTCP REMB) and the rate the encoder aims
    /// at now (bits per second).
    public var receiverEstimate: Int?
    public var targetBitrate: Int?

    public init(kind: MediaDescription.Kind, ssrc: UInt32) {
        self.kind = kind
        self.ssrc = ssrc
    }
}
