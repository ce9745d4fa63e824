/// The media of one call, both ways, over one transport: what the call manager creates
/// once the call is accepted and the plan (directions, SSRCs, keys) is agreed.
///
/// Threads (Foundation threads, never Swift's cooperative pool): audio capture + encode,
/// video capture + encode, receive + demultiplex + audio playout, video decode. RTP and
/// RTCP of both kinds share the transport (rtcp-mux, RFC 5761); everything we send is
/// protected with `plan.sendKey`, everything we accept must authenticate under
/// `plan.receiveKey`. See docs/MEDIA.md, "Call media session".
///
/// All methods may be called from any thread or task; none blocks on media work except
/// `stop()`, which waits (briefly) for the threads to end.
public final class CallMediaSession: Sendable {
    /// The plan the session runs.
    public let plan: CallMediaPlan
    private let shared: CallMediaShared
    private let output: ProtectedOutput
    private let audioSend: AudioSendLoop?
    private let videoSend: VideoSendLoop?
    private let receiveLoop: ReceiveLoop
    private let videoReceive: VideoReceiveLoop?
    private let lifecycle = Locked<Lifecycle>(.created)

    private enum Lifecycle {
        case created
        case running([MediaThread])
        case stopped
    }

    /// Sources and sinks are handed in already open (nil = none: e.g. no microphone → we
    /// send no audio). The session owns them from now on: their reads and writes happen on
    /// its threads, and `stop()` finishes the sinks.
    ///
    /// - Parameters:
    ///   - voiceProcessing: echo cancellation (against what the audio sink was given) and
    ///     noise suppression on the microphone before encoding.
    ///   - onDeviceError: called (on a media thread) when a source fails or ends — that kind
    ///     stops sending for the rest of the call — or a sink fails; the call goes on. Hop to
    ///     another thread or task before calling `stop()` from it (stop waits for the threads).
    /// - Throws: `CallMediaError.invalidPlan`, `SRTPError`, `CodecError` (a source whose
    ///   picture size VP8 cannot encode).
    public init(
        plan: CallMediaPlan, audioSource: (any AudioSource)?, audioSink: (any AudioSink)?,
        videoSource: (any VideoSource)?, videoSink: (any VideoSink)?,
        transport: any MediaTransport, voiceProcessing: Bool,
        onDeviceError: @escaping @Sendable (CallMediaDeviceError) -> Void
    ) throws {
        if let problem = plan.problem { throw CallMediaError.invalidPlan(problem) }
        self.plan = plan
        let canonicalName = "parley-call-\(UInt32.random(in: .min ... .max))"
        let shared = CallMediaShared(onDeviceError: onDeviceError)
        let output = try ProtectedOutput(key: plan.sendKey, transport: transport)
        let audioSend = try plan.audio?.send == true ? audioSource.map {
            try AudioSendLoop(source: $0, plan: plan, voiceProcessing: voiceProcessing, canonicalName: canonicalName, shared: shared, output: output)
        } : nil
        let videoSend = try plan.video?.send == true ? videoSource.map {
            try VideoSendLoop(source: $0, plan: plan, canonicalName: canonicalName, shared: shared, output: output)
        } : nil
        let videoReceive = try plan.video?.receive == true
            ? VideoReceiveLoop(sink: videoSink, plan: plan, canonicalName: canonicalName, shared: shared, output: output) : nil
        receiveLoop = try ReceiveLoop(
            plan: plan, audioSink: audioSink, video: videoReceive, audioFeedback: audioSend?.feedback, videoFeedback: videoSend?.feedback,
            videoRetransmissions: videoSend?.sender.retransmissions,
            recordsPlayed: voiceProcessing && audioSend != nil, canonicalName: canonicalName, shared: shared, output: output)
        self.shared = shared
        self.output = output
        self.audioSend = audioSend
        self.videoSend = videoSend
        self.videoReceive = videoReceive
    }

    /// A session let go of without `stop()` stops (its threads hold only their loops, not
    /// the session).
    deinit {
        stop()
    }

    /// Starts the media threads: capture and sending begin, and the audio sink's 20 ms
    /// clock. Calling it again (or after `stop()`) does nothing.
    public func start() {
        lifecycle.withLock { state in
            guard case .created = state else { return }
            let start = shared.clock.nowNanoseconds()
            var threads: [MediaThread] = []
            let receiveLoop = receiveLoop
            threads.append(MediaThread(name: "call-receive") { receiveLoop.run(startNanoseconds: start) })
            if let videoReceive { threads.append(MediaThread(name: "call-video-recv") { videoReceive.run() }) }
            if let audioSend { threads.append(MediaThread(name: "call-audio-send") { audioSend.run() }) }
            if let videoSend { threads.append(MediaThread(name: "call-video-send") { videoSend.run() }) }
            threads.forEach { $0.start() }
            state = .running(threads)
        }
    }

    /// One datagram from the peer (any transport); returns at once (queues it for the media
    /// thread). Datagrams beyond the queue's 4096 are dropped and counted.
    public func receive(_ datagram: [UInt8]) {
        receive(datagram, onAuthenticated: nil)
    }

    /// The same; `onAuthenticated` runs (on the receive thread) once the datagram passed
    /// SRTP authentication — a transport learns the peer's address from it.
    public func receive(_ datagram: [UInt8], onAuthenticated: (@Sendable () -> Void)?) {
        let item = InboundDatagram(bytes: datagram, arrival: shared.clock.nowNanoseconds(), onAuthenticated: onAuthenticated)
        if !receiveLoop.inbox.put(item, wakes: !Self.waitsForTheTick(datagram)) { shared.update { $0.statistics.datagramsDropped += 1 } }
    }

    /// Whether a datagram can wait for the receive thread's next playout tick (at most a
    /// frame, 20 ms) instead of waking it: audio RTP (its payload type is in the clear in
    /// SRTP), which plays only on the tick and carries its arrival time with it. Video and
    /// RTCP (NACKs, keyframe requests) are handled at once. Saves a thread switch for every
    /// audio packet; a forged payload type gains nothing (the datagram is checked all the
    /// same, a tick later).
    public static func waitsForTheTick(_ datagram: [UInt8]) -> Bool {
        MultiplexedPacketKind.classify(datagram) == .rtp && datagram.count >= RTPPacket.minimumSize
            && datagram[1] & 0x7F == MediaDescription.opusPayloadType
    }

    /// Stop/resume SENDING a kind (my microphone / my camera): no packets of that kind go
    /// out while stopped (RTCP does); video resumes with a keyframe.
    public func setSending(_ kind: CallMediaKind, _ on: Bool) {
        shared.update { state in
            if on { state.sending.insert(kind) } else { state.sending.remove(kind) }
        }
    }

    /// The most the video may use from now on (bits per second): a group call's sender
    /// splits its uplink between its peers. The resolution and frame rate follow the rate.
    public func setVideoBitrateLimit(_ bitrate: Int) {
        shared.update { $0.videoBitrateLimit = bitrate }
    }

    /// Stop/resume RECEIVING a kind locally (deafen / hide): packets are dropped unplayed
    /// (still counted, and reported to the peer, so it sees no loss); the audio sink gets
    /// silence meanwhile. Video resumes at the next keyframe, which the receiver requests.
    public func setReceiving(_ kind: CallMediaKind, _ on: Bool) {
        shared.update { state in
            if on { state.receiving.insert(kind) } else { state.receiving.remove(kind) }
        }
    }

    /// Live statistics: sent and received per kind, lip sync, rejections.
    public func statistics() -> CallMediaStatistics {
        let failures = output.failures
        return shared.state.withLock { state in
            var statistics = state.statistics
            for (kind, count) in state.rejected {
                statistics.received[kind]?.packetsRejected += count
            }
            statistics.sendFailures = failures
            for kind in CallMediaKind.allCases {
                statistics.sending[kind] = plan.direction(kind)?.send == true && statistics.sent[kind] != nil
                    && state.sending.contains(kind) && !state.failed.contains(kind)
                statistics.receiving[kind] = plan.direction(kind)?.receive == true && state.receiving.contains(kind)
            }
            return statistics
        }
    }

    /// Monotonic nanoseconds (`MonotonicClock`) of the last authenticated packet from the
    /// peer (liveness), nil before any.
    public var lastReceivedNanoseconds: UInt64? {
        shared.state.withLock { $0.lastReceived }
    }

    /// Sends RTCP BYE for our streams, stops the threads, finishes the sinks (closes files so
    /// a WAV/Y4M is complete). Waits up to about two seconds for threads blocked in a device;
    /// such a thread ends (and says BYE) when its device returns. Calling it again does nothing.
    public func stop() {
        let previous = lifecycle.withLock { state -> Lifecycle in
            let previous = state
            state = .stopped
            return previous
        }
        switch previous {
        case .stopped:
            return
        case .created:
            shared.stop.signal()
            receiveLoop.inbox.close()
            videoReceive?.inbox.close()
            receiveLoop.finish()
            videoReceive?.finish()
        case let .running(threads):
            shared.stop.signal()
            // Senders first (their BYEs), then the receivers (they finish the sinks).
            for thread in threads.dropFirst(videoReceive == nil ? 1 : 2) { thread.join(seconds: 1) }
            receiveLoop.inbox.close()
            videoReceive?.inbox.close()
            for thread in threads.prefix(videoReceive == nil ? 1 : 2) { thread.join(seconds: 1) }
        }
    }
}
