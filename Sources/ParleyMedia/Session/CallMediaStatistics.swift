/// Live statistics of a call's media: per kind what we sent and what we received (the
/// same figures as `parley stream --stats`), lip sync, and what the session refused.
public struct CallMediaStatistics: Sendable, Codable, Equatable {
    /// Streams we send (present once the kind's sender exists: the plan sends it and a
    /// source was given).
    public var sent: [CallMediaKind: SentStreamStatistics] = [:]
    /// Streams we receive (present when the plan receives the kind). `packetsRejected`
    /// includes datagrams of this kind's payload type that carried another SSRC;
    /// `packetsDiscarded` counts packets dropped unplayed while receiving was stopped.
    public var received: [CallMediaKind: ReceivedStreamStatistics] = [:]
    /// Lip sync: how much later the picture shown last was captured than the sound playing
    /// then (positive = video ahead), milliseconds; nil until both streams have SRs.
    public var videoLeadMilliseconds: Double?
    /// Datagrams the demultiplexer refused: failed SRTP authentication or replay check, not
    /// RTP/RTCP, an unexpected payload type or SSRC. Never played, never answered. (An
    /// authenticated packet the stream's own parser then refuses — malformed RTP or RTCP —
    /// counts in that kind's `packetsRejected` instead.)
    public var datagramsRejected: Int64 = 0
    /// Authenticated datagrams dropped because a media thread fell behind (its queue was
    /// full) or the session had stopped.
    public var datagramsDropped: Int64 = 0
    /// Datagrams we could not protect or send (should stay 0).
    public var sendFailures: Int64 = 0
    /// Whether we send / receive each kind right now (`setSending` / `setReceiving`, and a
    /// failed device stops sending).
    public var sending: [CallMediaKind: Bool] = [:]
    public var receiving: [CallMediaKind: Bool] = [:]

    public init() {}
}
