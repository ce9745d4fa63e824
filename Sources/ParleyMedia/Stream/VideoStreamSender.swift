/// The sending half of a video stream: I420 frames → VP8 → RTP (RFC 7741, ≤ 1200-byte
/// packets) → datagrams, with RTCP; a keyframe request (PLI) makes the next frame a
/// keyframe, a generic NACK sends the named packets again from `retransmissions`. RTP
/// timestamps follow the capture clock at 90 kHz. No I/O.
public final class VideoStreamSender: MediaStreamSending {
    public let description: MediaDescription
    public let transmitter: RTPTransmitter
    public let settings: VP8EncoderSettings
    /// The packets sent lately, to send again when the receiver asks.
    public let retransmissions: RetransmissionBuffer
    /// Whether `receiveFeedback` answers NACKs itself (false when another thread answers
    /// them from `retransmissions` as they arrive, as in a call).
    public var answersRetransmissionRequests = true
    /// Whether sent packets are kept in `retransmissions` (a broadcast keeps them per
    /// viewer instead, and sets this false).
    public var recordsRetransmissions = true
    /// The rate the encoder aims at, from the receiver's estimate and reported loss.
    public private(set) var rate: SendRateController
    private var framesOffered: UInt64 = 0
    /// (when, bytes) of the frames encoded over the last second.
    private var recentFrameBytes: [(time: UInt64, bytes: Int)] = []
    /// Lowers the encoder's setting by what it overshoots it (see `EncoderRateAdjuster`).
    private var rateAdjuster = EncoderRateAdjuster()
    private var encoder: VP8VideoEncoder
    /// The size the picture is encoded at, following the target (calls only: see `init`).
    public private(set) var resolution: ResolutionSteering?
    private var packetizer: VP8Packetizer
    private let firstTimestamp: UInt32
    private var firstCapture: UInt64?
    private var keyframesSent = 0
    /// A keyframe at least this often (nanoseconds of capture time), for receivers that
    /// cannot ask for one (ffmpeg, a recorder, a viewer that joins late); nil: on request only.
    private let keyframeInterval: UInt64?
    private var lastKeyframeCapture: UInt64?

    /// `ssrc`: the stream's source identifier (random unless signalled, as in a call).
    /// `keyframeIntervalSeconds`: a keyframe at least this often (0.1…3600; nil: only when
    /// asked, as in a call, whose receiver sends PLI). `adaptsResolution`: encode at half the
    /// size (or less) when the target cannot carry the source's (`ResolutionSteering`; for a
    /// call, whose receiver takes any size; a plain RTP stream keeps the size in its SDP).
    public init(
        description: MediaDescription, settings: VP8EncoderSettings, canonicalName: String, maximumPacketSize: Int = 1200,
        ssrc: UInt32 = .random(in: 1 ... .max), keyframeIntervalSeconds: Double? = nil, adaptsResolution: Bool = false
    ) throws {
        resolution = adaptsResolution ? ResolutionSteering(sourceWidth: settings.width, sourceHeight: settings.height) : nil
        keyframeInterval = keyframeIntervalSeconds.map { UInt64(($0.isFinite ? min(max($0, 0.1), 3600) : 2) * 1_000_000_000) }
        self.description = description
        self.settings = settings
        encoder = try VP8VideoEncoder(settings: settings)
        retransmissions = RetransmissionBuffer(budgetBytesPerSecond: Self.retransmissionBudget(bitrate: settings.bitrate))
        rate = SendRateController(maximum: settings.bitrate)
        firstTimestamp = .random(in: .min ... .max)
        packetizer = VP8Packetizer(
            sequencer: RTPSequencer(ssrc: ssrc, payloadType: description.payloadType, firstSequenceNumber: .random(in: .min ... .max)),
            maximumPacketSize: maximumPacketSize, firstPictureID: .random(in: 0 ... 0x7FFF))
        transmitter = try RTPTransmitter(
            kind: .video, ssrc: ssrc, clockRate: VP8VideoEncoder.clockRate, srtpKey: description.srtpKey, canonicalName: canonicalName,
            sessionBandwidth: settings.bitrate)
        transmitter.updateStatistics {
            $0.width = settings.width
            $0.height = settings.height
        }
    }

    /// Encodes one frame and returns its datagrams, then a sender report when one is due.
    public func send(_ captured: CapturedVideoFrame, nowNanoseconds now: UInt64) throws -> [[UInt8]] {
        let first = firstCapture ?? captured.captureTime
        firstCapture = first
        let elapsed = captured.captureTime >= first ? captured.captureTime - first : 0
        let ticks = elapsed / 1_000_000_000 * 90000 + elapsed % 1_000_000_000 * 90000 / 1_000_000_000
        let timestamp = firstTimestamp &+ UInt32(truncatingIfNeeded: ticks)
        var datagrams: [[UInt8]] = []
        framesOffered += 1
        // At a low target only every second or third frame is encoded (a keyframe asked for
        // waits for the next one that is), if the encoder uses what it is given: a picture
        // that costs less than the target keeps its full frame rate.
        let encodedRate = recentFrameBytes.reduce(0) { $0 + $1.bytes } * 8
        let divisor = encodedRate * 10 >= rate.target * 9 ? rate.frameRateDivisor : 1
        guard framesOffered % UInt64(divisor) == 0 else {
            if let report = try transmitter.reportIfDue(nowNanoseconds: now) { datagrams.append(report) }
            return datagrams
        }
        if let keyframeInterval, let last = lastKeyframeCapture, captured.captureTime &- last >= keyframeInterval,
           captured.captureTime >= last {
            encoder.requestKeyframe()
        }
        recentFrameBytes.removeAll { now < $0.time || now - $0.time >= 1_000_000_000 }
        var remeasured = false
        let encoded = try encoder.encode(scaledForEncoder(captured.frame), timestamp: Int64(ticks))
        for frame in encoded {
            transmitter.countFrame()
            recentFrameBytes.append((now, frame.data.count))
            remeasured = rateAdjuster.frameEncoded(
                bytes: frame.data.count, isKeyframe: frame.isKeyframe, setting: encoder.settings.bitrate, nowNanoseconds: now) || remeasured
            if frame.isKeyframe {
                keyframesSent += 1
                lastKeyframeCapture = captured.captureTime
            }
            for packet in packetizer.packetize(frame: frame.data, timestamp: timestamp) {
                let datagram = try transmitter.datagram(for: packet, captureNanoseconds: captured.captureTime, nowNanoseconds: now)
                if recordsRetransmissions {
                    retransmissions.record(sequenceNumber: packet.header.sequenceNumber, datagram: datagram, nowNanoseconds: now)
                }
                datagrams.append(datagram)
            }
        }
        transmitter.updateStatistics { [keyframesSent] in $0.keyframesSent = keyframesSent }
        if remeasured { applyTarget() }
        try steerResolution(encoded: !encoded.isEmpty, divisor: divisor, nowNanoseconds: now)
        if let report = try transmitter.reportIfDue(nowNanoseconds: now) { datagrams.append(report) }
        return datagrams
    }

    /// The captured frame at the size the encoder is set to now (halved as the steering's
    /// sizes are, by `downscaled(toMaxWidth:)`).
    private func scaledForEncoder(_ frame: I420Frame) -> I420Frame {
        guard let resolution, resolution.level > 0, frame.width == resolution.sourceWidth, frame.height == resolution.sourceHeight else {
            return frame
        }
        return frame.downscaled(toMaxWidth: resolution.size.width)
    }

    /// Tells the resolution steering what the encoder did with this frame; on a change of
    /// size, a new encoder at that size (its first frame a keyframe) with the same rate.
    private func steerResolution(encoded: Bool, divisor: Int, nowNanoseconds now: UInt64) throws {
        guard var steering = resolution else { return }
        let frameRate = Double(settings.frameRate) / Double(max(1, divisor))
        let changed = steering.frameOffered(
            quantizer: encoded ? encoder.lastQuantizer : nil, target: rate.target, frameRate: frameRate, nowNanoseconds: now)
        resolution = steering
        guard changed != nil else { return }
        var resized = encoder.settings
        (resized.width, resized.height) = steering.size
        encoder = try VP8VideoEncoder(settings: resized)
        rateAdjuster = EncoderRateAdjuster()
        transmitter.updateStatistics {
            $0.width = resized.width
            $0.height = resized.height
        }
    }

    /// Follows the rate controller's target: the encoder's bit rate (the target lowered by
    /// what the encoder overshoots it, when that moved by more than 3 %) and the
    /// retransmission budget.
    private func applyTarget() {
        let target = rate.target
        let setting = rateAdjuster.setting(forTarget: target)
        let current = encoder.settings.bitrate
        if abs(setting - current) * 100 > current * 3 {
            try? encoder.setBitrate(setting)
        }
        retransmissions.setBudget(bytesPerSecond: Self.retransmissionBudget(bitrate: target))
        transmitter.updateStatistics { $0.targetBitrate = target }
    }

    /// Bytes per second that retransmissions may add to a stream encoded at `bitrate`: a
    /// quarter of it. Enough to repair random loss (10 % loss costs about 11 %), while on a
    /// path that just narrowed the repairs cannot keep the queue full: the stream and its
    /// repairs stay within 1.25 × the target, and the target is 0.9 × the receiver's estimate.
    static func retransmissionBudget(bitrate: Int) -> Int { bitrate / 32 }

    /// Lowers (or raises) the most this stream may use (its share of a group call's uplink):
    /// the target follows at once, and the resolution steering with it.
    public func setMaximumBitrate(_ bitrate: Int) {
        guard bitrate != rate.maximum else { return }
        rate.setMaximum(bitrate)
        applyTarget()
    }

    /// Makes the next encoded frame a keyframe (sending resumes after a pause).
    public func requestKeyframe() {
        encoder.requestKeyframe()
    }

    /// Applies RTCP that came back (at `arrival`, for the RTT): a PLI asks the encoder
    /// for a keyframe; a NACK returns the packets to send again (when this sender answers
    /// them itself).
    @discardableResult
    public func receiveFeedback(_ datagram: [UInt8], arrival: NTPTimestamp = .now(), nowNanoseconds now: UInt64 = 0) -> [[UInt8]] {
        var resend: [[UInt8]] = []
        for item in transmitter.feedback(from: datagram, arrival: arrival) {
            switch item {
            case .keyframeRequest:
                encoder.requestKeyframe()
            case let .retransmissionRequest(request) where answersRetransmissionRequests:
                resend += retransmissions.answer(request, nowNanoseconds: now)
            case let .receiverEstimate(bitrate):
                rate.receiverEstimated(bitrate)
            case let .report(block):
                rate.lossReported(Double(block.fractionLost) / 256)
            default:
                continue
            }
        }
        applyTarget()
        if let roundTrip = transmitter.statistics.roundTripMilliseconds { retransmissions.setRoundTrip(seconds: roundTrip / 1000) }
        return resend
    }

    public func goodbye(nowNanoseconds now: UInt64) throws -> [UInt8] {
        try transmitter.goodbye(nowNanoseconds: now)
    }

    public func statistics(nowNanoseconds now: UInt64) -> SentStreamStatistics {
        var current = transmitter.currentStatistics(nowNanoseconds: now)
        let counts = retransmissions.counts
        current.packetsRetransmitted = counts.retransmitted
        current.retransmissionsRefused = counts.refused
        return current
    }
}
