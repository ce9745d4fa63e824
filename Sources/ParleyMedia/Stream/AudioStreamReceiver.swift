/// The receiving half of an audio stream: datagrams → SRTP/RTP → adaptive jitter buffer
/// → Opus decode, with FEC recovery and PLC for lost packets, and RTCP receiver
/// reports. The caller asks for one 20 ms frame every 20 ms of its playout clock. No I/O.
public final class AudioStreamReceiver {
    public let reception: RTPReception
    private var jitterBuffer = AudioJitterBuffer()
    private let decoder: OpusAudioDecoder
    private var concealedRun = 0
    private var longestGapFrames = 0
    private var framesDecoded: Int64 = 0
    private var decoderErrors: Int64 = 0
    /// Playout ticks since the last packet arrived.
    private var ticksWithoutPackets = 0
    /// After this many ticks without a packet the source is paused or gone (DTX, the
    /// sender stopped without BYE): play silence instead of concealing, and do not count it.
    public static let idleTicks = 25

    private var packetsDiscarded: Int64 = 0
    /// When the newest packet arrived.
    private var newestArrival: UInt64?
    /// Quiet frames played in a row (a pause between words when two or more).
    private var quietFrames = 0
    private var framesInserted: Int64 = 0

    /// The delay a probe reserve adds.
    public static let probeReserve: UInt64 = 100_000_000
    /// Hold a reserve of delay for the queue a probe of the path is about to build (the
    /// video's bandwidth estimate climbs past the rate last overused; see
    /// `ReceiveBandwidthEstimator.wantsProbeReserve`): the playout grows its delay by
    /// `probeReserve` in pauses — a quiet frame is followed by silence instead of the next
    /// one — so that the probe's queue is absorbed instead of cutting words. Released, the
    /// delay is shed again in pauses.
    public var holdsProbeReserve = false {
        didSet { jitterBuffer.reserve = holdsProbeReserve ? Self.probeReserve : 0 }
    }

    /// The reserve is in place, or there is nothing to protect (no audio coming in).
    public var probeReserveReady: Bool {
        if ticksWithoutPackets > Self.idleTicks || framesDecoded == 0 { return true }
        return holdsProbeReserve && jitterBuffer.bufferedDelay + AudioJitterBuffer.frameNanoseconds >= jitterBuffer.targetDelay
    }

    /// `ssrc`: the receiver's own SSRC in its reports (a call uses its sending SSRC).
    public init(description: MediaDescription, canonicalName: String, ssrc: UInt32 = .random(in: 1 ... .max)) throws {
        reception = try RTPReception(description: description, ssrc: ssrc, canonicalName: canonicalName, sessionBandwidth: 48_000)
        decoder = try OpusAudioDecoder()
    }

    /// Takes one datagram from the stream's port (audio needs no immediate feedback: its
    /// RTCP rides on the scheduled receiver reports).
    /// With `play` false (receiving stopped locally) the packet counts for the statistics
    /// and reports but is dropped unplayed (`packetsDiscarded`).
    public func receive(_ datagram: [UInt8], nowNanoseconds now: UInt64, play: Bool = true) {
        guard case let .media(packet) = reception.receive(datagram, nowNanoseconds: now),
              let opus = OpusPacketizer.opusPacket(in: packet)
        else { return }
        guard play else {
            packetsDiscarded += 1
            return
        }
        jitterBuffer.insert(payload: opus, timestamp: packet.header.timestamp, arrivalNanoseconds: now)
        newestArrival = now
        ticksWithoutPackets = 0
    }

    /// The next 20 ms of audio to play, or nil while nothing has started playing yet.
    public func playout() -> [Int16]? {
        ticksWithoutPackets += 1
        if ticksWithoutPackets > Self.idleTicks && jitterBuffer.bufferedDelay == 0 {
            guard framesDecoded > 0 else { return nil }
            concealedRun = 0   // a pause, not a loss
            return [Int16](repeating: 0, count: VoiceFormat.samplesPerFrame)
        }
        if holdsProbeReserve, quietFrames >= 2, jitterBuffer.bufferedDelay > 0,
           jitterBuffer.bufferedDelay + AudioJitterBuffer.frameNanoseconds <= jitterBuffer.targetDelay {
            // A pause: 20 ms more of it, and the buffer holds 20 ms more.
            framesInserted += 1
            return [Int16](repeating: 0, count: VoiceFormat.samplesPerFrame)
        }
        let action = jitterBuffer.nextAction()
        if case .silence = action { return nil }
        var samples = render(action)
        // More delay in the buffer than the network needs (a queue on the path drained):
        // a quiet frame — a pause between words — is decoded (the decoder keeps its state)
        // but skipped, and the next one plays in its place. The delay goes back down in
        // the first pause instead of by one dropped frame a second in the middle of words.
        if case .decode = action, jitterBuffer.nextPacketIsHere, jitterBuffer.isAboveTarget, Self.isQuiet(samples) {
            jitterBuffer.frameSkipped()
            samples = render(jitterBuffer.nextAction())
        }
        quietFrames = Self.isQuiet(samples) ? quietFrames + 1 : 0
        return Self.fitted(samples)
    }

    /// A frame whose level stays under about −45 dBFS (RMS 200 of 32768): a pause.
    static func isQuiet(_ samples: [Int16]) -> Bool {
        guard !samples.isEmpty else { return true }
        let energy = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        return energy / Double(samples.count) < 200 * 200
    }

    private func render(_ action: AudioPlayoutAction) -> [Int16] {
        let samples: [Int16]
        switch action {
        case .silence:
            samples = []
        case let .decode(packet):
            do {
                samples = try decoder.decode(packet)
                played()
            } catch {
                decoderErrors += 1
                samples = conceal()
            }
        case let .recoverWithFEC(nextPacket):
            samples = (try? decoder.recoverLoss(from: nextPacket)) ?? conceal()
            played()
        case .conceal:
            samples = conceal()
        }
        return samples
    }

    private func played() {
        framesDecoded += 1
        longestGapFrames = max(longestGapFrames, concealedRun)
        concealedRun = 0
    }

    private func conceal() -> [Int16] {
        concealedRun += 1
        return (try? decoder.concealLoss()) ?? []
    }

    /// Exactly one 20 ms frame (a peer's longer packets are cut, failures become silence).
    private static func fitted(_ samples: [Int16]) -> [Int16] {
        let count = VoiceFormat.samplesPerFrame
        if samples.count == count { return samples }
        return Array(samples.prefix(count)) + [Int16](repeating: 0, count: max(0, count - samples.count))
    }

    /// How long the packet about to play has waited since it arrived, when it is the only one
    /// buffered (the newest); nil otherwise (see ``PlayoutPhase``).
    public func waitOfNextPacket(nowNanoseconds now: UInt64) -> UInt64? {
        guard let newestArrival, now >= newestArrival, jitterBuffer.nextPacketIsHere,
              jitterBuffer.bufferedDelay == AudioJitterBuffer.frameNanoseconds else { return nil }
        return now - newestArrival
    }

    /// The RTP timestamp of the audio playing now, and the sender report that maps it to
    /// the sender's clock (nil until both exist): one half of lip sync.
    public var playingNow: (timestamp: UInt32, senderReport: RTCPSenderReport)? {
        guard let timestamp = jitterBuffer.lastPlayedTimestamp, let report = reception.lastSenderReport else { return nil }
        return (timestamp, report)
    }

    /// The sender said BYE and everything it sent has been played.
    public var isFinished: Bool {
        reception.statistics.byeReceived && jitterBuffer.bufferedDelay == 0
    }

    /// A receiver report when one is due.
    public func reportIfDue(nowNanoseconds now: UInt64) throws -> [UInt8]? {
        try reception.reportIfDue(nowNanoseconds: now)
    }

    public func statistics(nowNanoseconds now: UInt64) -> ReceivedStreamStatistics {
        var current = reception.currentStatistics(nowNanoseconds: now)
        current.jitterBufferDelayMilliseconds = Double(jitterBuffer.bufferedDelay) / 1e6
        current.jitterBufferTargetMilliseconds = Double(jitterBuffer.targetDelay) / 1e6
        current.framesDecoded = framesDecoded
        current.framesConcealed = Int64(jitterBuffer.framesConcealed)
        current.framesRecovered = Int64(jitterBuffer.framesRecovered)
        current.framesDropped = Int64(jitterBuffer.framesDropped)
        current.framesInserted = framesInserted
        current.packetsLate = Int64(jitterBuffer.packetsLate)
        current.longestGapMilliseconds = longestGapFrames * 20
        current.decoderErrors = decoderErrors
        current.packetsDiscarded = packetsDiscarded
        return current
    }
}
