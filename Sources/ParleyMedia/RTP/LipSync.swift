/// Maps one stream's RTP timestamps to the sender's wall clock, from its latest SR.
public struct RTPClockMapping: Equatable, Sendable {
    public let clockRate: Int
    public let ntpSeconds: Double
    public let rtpTimestamp: UInt32

    public init(senderReport: RTCPSenderReport, clockRate: Int) {
        self.clockRate = clockRate
        ntpSeconds = senderReport.ntpTimestamp.secondsSince1900
        rtpTimestamp = senderReport.rtpTimestamp
    }

    /// The sender's wall-clock time (seconds since 1900) when `timestamp` was captured.
    /// Timestamps within half the 32-bit range of the SR's are placed correctly.
    public func captureTime(of timestamp: UInt32) -> Double {
        let delta = Int64(Int32(bitPattern: timestamp &- rtpTimestamp))
        return ntpSeconds + Double(delta) / Double(clockRate)
    }
}

/// Lip sync between an audio and a video stream of one sender (RFC 3550 §6.4.1): both
/// streams' SRs put their RTP clocks on the sender's wall clock, so the capture times of
/// the frames about to be played can be compared.
public struct LipSync: Sendable {
    public private(set) var audio: RTPClockMapping?
    public private(set) var video: RTPClockMapping?

    public init() {}

    public mutating func audioSenderReport(_ report: RTCPSenderReport, clockRate: Int = 48000) {
        audio = RTPClockMapping(senderReport: report, clockRate: clockRate)
    }

    public mutating func videoSenderReport(_ report: RTCPSenderReport, clockRate: Int = 90000) {
        video = RTPClockMapping(senderReport: report, clockRate: clockRate)
    }

    /// How far (seconds) the video frame about to be shown was captured after the audio
    /// frame about to be played: positive = video ahead (delay the video), negative = video
    /// behind (delay the audio). Nil until both streams have sent an SR.
    public func videoLead(audioTimestamp: UInt32, videoTimestamp: UInt32) -> Double? {
        guard let audio, let video else { return nil }
        return video.captureTime(of: videoTimestamp) - audio.captureTime(of: audioTimestamp)
    }
}
