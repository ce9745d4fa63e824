/// One datagram from the peer as the transport delivered it.
struct InboundDatagram: Sendable {
    var bytes: [UInt8]
    /// Monotonic nanoseconds when it reached `CallMediaSession.receive`.
    var arrival: UInt64
    /// Called (on the receive thread) once the datagram passed SRTP authentication.
    var onAuthenticated: (@Sendable () -> Void)?
}

/// The receiving side of a call, on a thread of its own, and its audio playout.
///
/// Every datagram from the transport is authenticated and decrypted with the one inbound
/// SRTP session (`receiveKey`), then demultiplexed: RTP by payload type (Opus 111 →
/// audio, VP8 96 → video) and the SSRC the peer signalled for it; RTCP by the SSRC of its
/// first packet (the peer's audio or video SSRC: its SRs and BYEs go to that stream's
/// receiver) and handed to our senders too (their report blocks and PLIs). Anything else —
/// a failed tag or replay, an unknown payload type or SSRC, bytes that are not RTP/RTCP —
/// is counted in `datagramsRejected` and dropped.
///
/// Audio plays on a 20 ms clock from start to stop: every tick the sink gets one frame —
/// decoded, concealed (PLC, FEC) or silence when nothing arrives or receiving is stopped —
/// so a recording's timeline is the call's. Video packets go to the video thread.
final class ReceiveLoop: @unchecked Sendable {
    let inbox = MediaInbox<InboundDatagram>(capacity: 4096)
    private let inbound: SRTPSession
    private let plan: CallMediaPlan
    private let audio: AudioStreamReceiver?
    private var audioSink: (any AudioSink)?
    private let video: VideoReceiveLoop?
    private let audioFeedback: MediaInbox<([UInt8], NTPTimestamp)>?
    private let videoFeedback: MediaInbox<([UInt8], NTPTimestamp)>?
    /// Our video's recent packets: a NACK from the peer is answered from here at once.
    private let videoRetransmissions: RetransmissionBuffer?
    private let shared: CallMediaShared
    private let output: ProtectedOutput
    private let canonicalName: String
    private let recordsPlayed: Bool
    /// The remote SSRCs whose RTCP is accepted (the kinds in the plan).
    private let remoteSSRCs: Set<UInt32>

    static let frameNanoseconds: UInt64 = 20_000_000
    /// Mean absolute amplitude under which a frame may lose samples to move the playout's phase.
    static let quietLevel = StandingQueueTrimmer.defaultQuietLevel
    private var phase = PlayoutPhase()
    /// RTCP goes out at least this often (an empty receiver report when nothing else did),
    /// so the peer sees the call alive even when neither side sends media.
    static let keepAliveNanoseconds: UInt64 = 2_000_000_000

    init(
        plan: CallMediaPlan, audioSink: (any AudioSink)?, video: VideoReceiveLoop?, audioFeedback: MediaInbox<([UInt8], NTPTimestamp)>?,
        videoFeedback: MediaInbox<([UInt8], NTPTimestamp)>?, videoRetransmissions: RetransmissionBuffer?, recordsPlayed: Bool,
        canonicalName: String,
        shared: CallMediaShared, output: ProtectedOutput
    ) throws {
        inbound = try SRTPSession(keying: plan.receiveKey, direction: .inbound)
        self.plan = plan
        audio = plan.audio?.receive == true
            ? try AudioStreamReceiver(description: .opus(port: 9), canonicalName: canonicalName, ssrc: plan.localAudioSSRC) : nil
        self.audioSink = audioSink
        self.video = video
        self.audioFeedback = audioFeedback
        self.videoFeedback = videoFeedback
        self.videoRetransmissions = videoRetransmissions
        self.recordsPlayed = recordsPlayed
        self.canonicalName = canonicalName
        self.shared = shared
        self.output = output
        var remote: Set<UInt32> = []
        if plan.audio != nil { remote.insert(plan.remoteAudioSSRC) }
        if plan.video != nil { remote.insert(plan.remoteVideoSSRC) }
        remoteSSRCs = remote
        publish(nowNanoseconds: shared.clock.nowNanoseconds())
    }

    /// The thread's loop, from `start` (`startNanoseconds`) until the inbox closes; then the
    /// audio sink gets the ticks up to that moment and is finished.
    func run(startNanoseconds start: UInt64) {
        let clock = shared.clock
        var nextTick = start + Self.frameNanoseconds
        while true {
            let items = inbox.take(until: nextTick, clock: clock)
            for item in items { handle(item) }
            if items.isEmpty && inbox.isClosed { break }
            let now = clock.nowNanoseconds()
            guard now >= nextTick else { continue }
            while now >= nextTick {
                let advance = tick()
                // A speaker's clock paces the playout (see AudioSink.playoutCorrectionNanoseconds).
                let correction = audioSink?.playoutCorrectionNanoseconds ?? 0
                nextTick &+= UInt64(Int64(Self.frameNanoseconds) + correction - Int64(advance))
            }
            sendReports(nowNanoseconds: clock.nowNanoseconds())
            publish(nowNanoseconds: now)
        }
        let end = clock.nowNanoseconds()
        while end >= nextTick {
            tick()
            nextTick += Self.frameNanoseconds
        }
        publish(nowNanoseconds: end)
        finish()
    }

    /// Finishes the audio sink (the file is complete).
    func finish() {
        do { try audioSink?.finish() } catch { shared.sinkFailed(.audio, "the audio sink could not be finished: \(error)") }
        audioSink = nil
    }

    // MARK: Demultiplexing

    private func handle(_ item: InboundDatagram) {
        let datagram = item.bytes
        switch MultiplexedPacketKind.classify(datagram) {
        case nil:
            reject(nil)
        case .rtp:
            guard let plain = try? inbound.unprotect(datagram), plain.count >= RTPPacket.minimumSize else { return reject(nil) }
            let payloadType = plain[1] & 0x7F
            let ssrc = Self.bigEndian32(plain, at: 8)
            if payloadType == MediaDescription.opusPayloadType, let audio, ssrc == plan.remoteAudioSSRC {
                authenticated(item)
                audio.receive(plain, nowNanoseconds: item.arrival, play: shared.isReceiving(.audio))
            } else if payloadType == MediaDescription.vp8PayloadType, let video, ssrc == plan.remoteVideoSSRC {
                authenticated(item)
                forward(plain, arrival: item.arrival, to: video)
            } else {
                reject(payloadType == MediaDescription.opusPayloadType ? .audio : payloadType == MediaDescription.vp8PayloadType ? .video : nil)
            }
        case .rtcp:
            guard let plain = try? inbound.unprotectRTCP(datagram), plain.count >= 8 else { return reject(nil) }
            let ssrc = Self.bigEndian32(plain, at: 4)
            guard remoteSSRCs.contains(ssrc) else { return reject(nil) }
            authenticated(item)
            if ssrc == plan.remoteAudioSSRC && plan.audio != nil {
                audio?.receive(plain, nowNanoseconds: item.arrival)
            } else if let video {
                forward(plain, arrival: item.arrival, to: video)
            }
            answerRetransmissionRequests(in: plain, nowNanoseconds: item.arrival)
            // Report blocks and PLIs about our streams: each sender keeps what names its SSRC.
            let arrival = NTPTimestamp.now()
            audioFeedback?.put((plain, arrival))
            videoFeedback?.put((plain, arrival))
        }
    }

    /// Sends again at once the packets of our video that a NACK in `plain` names (the
    /// video thread could answer only between frames).
    private func answerRetransmissionRequests(in plain: [UInt8], nowNanoseconds now: UInt64) {
        guard let videoRetransmissions, let packets = try? RTCPPacket.parseCompound(plain) else { return }
        for case let .negativeAcknowledgement(request) in packets where request.mediaSSRC == plan.localVideoSSRC {
            for datagram in videoRetransmissions.answer(request, nowNanoseconds: now) { output.send(datagram, nowNanoseconds: now) }
        }
    }

    private func forward(_ plain: [UInt8], arrival: UInt64, to video: VideoReceiveLoop) {
        if !video.inbox.put((plain, arrival)) { shared.update { $0.statistics.datagramsDropped += 1 } }
    }

    /// An authenticated datagram was accepted: the peer is alive (and a transport may learn
    /// its address). Rejected ones never count, even when their tag was right.
    private func authenticated(_ item: InboundDatagram) {
        shared.update { $0.lastReceived = item.arrival }
        item.onAuthenticated?()
    }

    private func reject(_ kind: CallMediaKind?) {
        shared.update { state in
            state.statistics.datagramsRejected += 1
            if let kind { state.rejected[kind, default: 0] += 1 }
        }
    }

    private static func bigEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    // MARK: Playout and reports

    /// Plays one frame; returns how much sooner (nanoseconds) the playout comes from now on
    /// (``PlayoutPhase``: what was left out of this frame).
    @discardableResult
    private func tick() -> UInt64 {
        let silence = [Int16](repeating: 0, count: VoiceFormat.samplesPerFrame)
        var frame = silence
        var advance: UInt64 = 0
        if let audio {
            let ready = audio.probeReserveReady
            let wanted = shared.state.withLock { state in
                state.probeReserveReady = ready
                return state.probeReserveWanted
            }
            audio.holdsProbeReserve = wanted
            if audioSink?.hasClock == true {
                phase.ticked(waited: audio.waitOfNextPacket(nowNanoseconds: shared.clock.nowNanoseconds()))
            }
            let decoded = audio.playout()
            if let decoded, shared.isReceiving(.audio) { frame = decoded }
            if let playing = audio.playingNow {
                shared.update { $0.audioPlaying = (playing.timestamp, playing.senderReport) }
            }
        }
        if let sink = audioSink {
            var written = frame
            if sink.hasClock, StandingQueueTrimmer.loudness(frame) < Self.quietLevel {
                advance = phase.advance()
                // At most 10 ms (PlayoutPhase.maximumAdvance), and never the whole frame.
                written.removeFirst(min(Int(advance / 1000) * VoiceFormat.sampleRate / 1_000_000, max(0, written.count - 1)))
            }
            do { try sink.write(written) } catch {
                audioSink = nil
                shared.sinkFailed(.audio, "the audio sink failed: \(error)")
            }
        }
        // The echo canceller's reference stays whole frames (a quiet one shortened for the
        // phase differs from what played by a few ms of near silence).
        if recordsPlayed { shared.pushPlayed(frame, at: shared.clock.nowNanoseconds()) }
        return advance
    }

    private func sendReports(nowNanoseconds now: UInt64) {
        if let report = try? audio?.reportIfDue(nowNanoseconds: now) { output.send(report, nowNanoseconds: now) }
        let last = output.lastControlNanoseconds
        guard last.map({ now >= $0 && now - $0 >= Self.keepAliveNanoseconds }) ?? true else { return }
        let ssrc = plan.audio != nil ? plan.localAudioSSRC : plan.localVideoSSRC
        if let keepAlive = try? RTCPPacket.serializeCompound([
            .receiverReport(RTCPReceiverReport(ssrc: ssrc)), .sourceDescription(ssrc: ssrc, canonicalName: canonicalName),
        ]) {
            output.send(keepAlive, nowNanoseconds: now)
        }
    }

    private func publish(nowNanoseconds now: UInt64) {
        guard let audio else { return }
        var statistics = audio.statistics(nowNanoseconds: now)
        statistics.sinkFramesDropped = audioSink?.framesDropped
        shared.update { $0.statistics.received[.audio] = statistics }
    }
}
