/// The sending half of an audio stream: 20 ms frames of 48 kHz mono → Opus → RTP
/// (RFC 7587) → datagrams, with RTCP. The receivers' reported loss sets the encoder's
/// packet-loss percentage (more FEC when the path loses more). No I/O.
public final class AudioStreamSender: MediaStreamSending {
    public let description: MediaDescription
    public let transmitter: RTPTransmitter
    private let encoder: OpusAudioEncoder
    private var packetizer: OpusPacketizer

    /// `ssrc`: the stream's source identifier (random unless signalled, as in a call).
    public init(
        description: MediaDescription, settings: OpusEncoderSettings = OpusEncoderSettings(), canonicalName: String,
        ssrc: UInt32 = .random(in: 1 ... .max)
    ) throws {
        self.description = description
        encoder = try OpusAudioEncoder(settings: settings)
        packetizer = OpusPacketizer(
            sequencer: RTPSequencer(ssrc: ssrc, payloadType: description.payloadType, firstSequenceNumber: .random(in: .min ... .max)),
            firstTimestamp: .random(in: .min ... .max))
        transmitter = try RTPTransmitter(
            kind: .audio, ssrc: ssrc, clockRate: OpusPacketizer.clockRate, srtpKey: description.srtpKey, canonicalName: canonicalName,
            sessionBandwidth: settings.bitrate + 16_000)
        transmitter.updateStatistics { $0.encoderLossPercentage = settings.packetLossPercentage }
    }

    /// Encodes one 20 ms frame captured at `captureTime` and returns what to send: the RTP
    /// datagram (none for a frame DTX left out), then a sender report when one is due.
    public func send(samples: [Int16], captureTime: UInt64, nowNanoseconds now: UInt64) throws -> [[UInt8]] {
        let opus = try encoder.encode(samples)
        transmitter.countFrame()
        var datagrams: [[UInt8]] = []
        if let packet = packetizer.packetize(opusPacket: opus, sampleCount: samples.count) {
            datagrams.append(try transmitter.datagram(for: packet, captureNanoseconds: captureTime, nowNanoseconds: now))
        }
        if let report = try transmitter.reportIfDue(nowNanoseconds: now) { datagrams.append(report) }
        return datagrams
    }

    /// Skips one 20 ms frame without sending it (sending is stopped): the RTP timestamp
    /// moves on with the capture clock, so the receiver sees a pause, and the first packet
    /// after it starts a talkspurt (marker bit).
    public func skipFrame(sampleCount: Int = VoiceFormat.samplesPerFrame) {
        _ = packetizer.packetize(opusPacket: nil, sampleCount: sampleCount)
    }

    /// Changes Opus's bit rate (16…64 kb/s) from the next frame on.
    public func setBitrate(_ bitrate: Int) throws {
        var settings = encoder.settings
        guard settings.bitrate != bitrate else { return }
        settings.bitrate = bitrate
        try encoder.apply(settings)
        transmitter.updateStatistics { $0.targetBitrate = bitrate }
    }

    /// Applies RTCP that came back (at `arrival`, for the RTT): the reported loss
    /// (smoothed, 0…30 %) becomes the encoder's packet-loss percentage.
    @discardableResult
    public func receiveFeedback(_ datagram: [UInt8], arrival: NTPTimestamp = .now(), nowNanoseconds now: UInt64 = 0) -> [[UInt8]] {
        for case let .report(block) in transmitter.feedback(from: datagram, arrival: arrival) {
            let reported = Int((Double(block.fractionLost) / 256 * 100).rounded())
            var settings = encoder.settings
            // Expect at least what was reported, decay slowly when the path gets better.
            let target = min(30, max(reported, settings.packetLossPercentage * 3 / 4))
            guard target != settings.packetLossPercentage else { continue }
            settings.packetLossPercentage = target
            try? encoder.apply(settings)
            transmitter.updateStatistics { $0.encoderLossPercentage = target }
        }
        return []
    }

    /// The RTCP BYE that ends the stream.
    public func goodbye(nowNanoseconds now: UInt64) throws -> [UInt8] {
        try transmitter.goodbye(nowNanoseconds: now)
    }

    public func statistics(nowNanoseconds now: UInt64) -> SentStreamStatistics {
        transmitter.currentStatistics(nowNanoseconds: now)
    }
}
