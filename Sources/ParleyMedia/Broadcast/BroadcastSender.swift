/// A live broadcast's media: the microphone and the camera are read and encoded once
/// (Opus, VP8) into one RTP stream per kind, and every packet goes to each viewer
/// encrypted under that viewer's own SRTP key (``BroadcastViewer``). Adding a viewer costs
/// its encryption and its packets, never another encoder.
///
/// Threads (Foundation threads, never Swift's cooperative pool): audio capture + encode and
/// video capture + encode, each fanning its packets out to the viewers. A viewer's RTCP is
/// read on the thread that hands it in (its transport's): its reports give its statistics,
/// its NACKs are answered from its own history of what it was sent (the packets are
/// shared, the budget and the resend spacing are the viewer's), its PLIs ask the video
/// thread for a keyframe (at most one every ``keyframeSpacingNanoseconds``, so a viewer
/// cannot make the stream all keyframes). A viewer that joins gets a keyframe at once.
///
/// The stream's rates are fixed (`audioBitrate`, `videoBitrate`): one encoding serves every
/// viewer, so one viewer's narrow path does not lower the picture of the others (its
/// losses are repaired by retransmission, then by a keyframe).
public final class BroadcastSender: @unchecked Sendable {
    /// The SSRCs of the broadcast's streams (the same for every viewer).
    public let audioSSRC: UInt32
    public let videoSSRC: UInt32
    /// Forced keyframes (a viewer joined or lost one) come at most this often.
    public static let keyframeSpacingNanoseconds: UInt64 = 300_000_000
    /// The most viewers one broadcast serves.
    public static let maxViewers = 20
    /// What each viewer's retransmissions may add (bytes per second): as a call's.
    let retransmissionBudget: Int

    let clock = MonotonicClock()
    let stop = StopLatch()
    private let audio: AudioStreamSender?
    private let video: VideoStreamSender?
    private var audioSource: (any AudioSource)?
    private var videoSource: (any VideoSource)?
    private let onDeviceError: @Sendable (CallMediaDeviceError) -> Void
    private let state = Locked<SharedState>(SharedState())
    private let threads = Locked<[MediaThread]?>(nil)
    private let plainOutput: (any MediaTransport)?

    private struct SharedState {
        var viewers: [ObjectIdentifier: BroadcastViewer] = [:]
        var keyframeWanted = true
        var lastForcedKeyframe: UInt64?
        var audioStatistics: SentStreamStatistics?
        var videoStatistics: SentStreamStatistics?
        var sending: Set<CallMediaKind> = [.audio, .video]
    }

    /// Sources are handed in already open (nil: that kind is not broadcast).
    /// `plainOutput`: also send every packet as plain RTP (no SRTP) to this transport — a
    /// media server's (`parley broadcast start --rtp`); it then gets a keyframe every 2 s.
    ///
    /// - Throws: `CodecError` (a picture size VP8 cannot encode), `SRTPError`.
    public init(
        audioSource: (any AudioSource)?, videoSource: (any VideoSource)?, audioBitrate: Int, videoBitrate: Int, frameRate: Int,
        plainOutput: (any MediaTransport)? = nil, onDeviceError: @escaping @Sendable (CallMediaDeviceError) -> Void
    ) throws {
        let canonicalName = "parley-broadcast-\(UInt32.random(in: .min ... .max))"
        let audioSSRC = UInt32.random(in: 1 ... .max)
        var videoSSRC = UInt32.random(in: 1 ... .max)
        while videoSSRC == audioSSRC { videoSSRC = .random(in: 1 ... .max) }
        self.audioSSRC = audioSSRC
        self.videoSSRC = videoSSRC
        retransmissionBudget = VideoStreamSender.retransmissionBudget(bitrate: videoBitrate)
        audio = try audioSource.map { _ in
            try AudioStreamSender(description: .opus(port: 9), settings: OpusEncoderSettings(bitrate: audioBitrate), canonicalName: canonicalName, ssrc: audioSSRC)
        }
        video = try videoSource.map { source in
            let settings = VP8EncoderSettings(width: source.width, height: source.height, bitrate: videoBitrate, frameRate: frameRate, threads: 1)
            return try VideoStreamSender(description: .vp8(port: 9), settings: settings, canonicalName: canonicalName, ssrc: videoSSRC,
                                         keyframeIntervalSeconds: plainOutput == nil ? nil : 2)
        }
        video?.answersRetransmissionRequests = false
        video?.recordsRetransmissions = false   // each viewer keeps what it was sent
        self.audioSource = audioSource
        self.videoSource = videoSource
        self.plainOutput = plainOutput
        self.onDeviceError = onDeviceError
    }

    deinit { stopSending() }

    /// Whether the broadcast has each kind (a source was given).
    public var hasAudio: Bool { audio != nil }
    public var hasVideo: Bool { video != nil }

    /// Starts capture and encoding. Calling it again does nothing.
    public func start() {
        threads.withLock { threads in
            guard threads == nil else { return }
            var started: [MediaThread] = []
            if audio != nil { started.append(MediaThread(name: "cast-audio") { [self] in runAudio() }) }
            if video != nil { started.append(MediaThread(name: "cast-video") { [self] in runVideo() }) }
            started.forEach { $0.start() }
            threads = started
        }
    }

    /// A viewer from now on: its packets are protected with `sendKey`, its RTCP must
    /// authenticate under `receiveKey`; `transport` carries both ways. Throws
    /// ``BroadcastError/full`` beyond ``maxViewers``.
    public func addViewer(sendKey: SRTPKeyingMaterial, receiveKey: SRTPKeyingMaterial, transport: any MediaTransport) throws -> BroadcastViewer {
        let viewer = try BroadcastViewer(sender: self, sendKey: sendKey, receiveKey: receiveKey, transport: transport)
        try state.withLock { state in
            guard state.viewers.count < Self.maxViewers else { throw BroadcastError.full(Self.maxViewers) }
            state.viewers[ObjectIdentifier(viewer)] = viewer
            state.keyframeWanted = true
        }
        return viewer
    }

    /// Stops sending a viewer anything (it left); says goodbye to it first.
    func remove(_ viewer: BroadcastViewer) {
        guard state.withLock({ $0.viewers.removeValue(forKey: ObjectIdentifier(viewer)) }) != nil else { return }
        let now = clock.nowNanoseconds()
        if let bye = try? audio?.goodbye(nowNanoseconds: now) { viewer.output.send(bye, nowNanoseconds: now) }
        if let bye = try? video?.goodbye(nowNanoseconds: now) { viewer.output.send(bye, nowNanoseconds: now) }
    }

    /// The viewers being served now.
    public var viewerCount: Int { state.withLock { $0.viewers.count } }

    /// Stop or resume sending a kind to everyone (the microphone or camera muted).
    public func setSending(_ kind: CallMediaKind, _ on: Bool) {
        state.withLock { state in
            if on {
                if kind == .video, !state.sending.contains(.video) { state.keyframeWanted = true }
                state.sending.insert(kind)
            } else {
                state.sending.remove(kind)
            }
        }
    }

    /// What the encoders sent (the same stream every viewer gets).
    public func statistics() -> (audio: SentStreamStatistics?, video: SentStreamStatistics?) {
        state.withLock { ($0.audioStatistics, $0.videoStatistics) }
    }

    /// Says goodbye to every viewer and stops the threads (waits up to a second for each).
    public func stopSending() {
        guard !stop.isSet else { return }
        stop.signal()
        let started = threads.withLock { $0 } ?? []
        for thread in started { thread.join(seconds: 1) }
        let viewers = state.withLock { Array($0.viewers.values) }
        for viewer in viewers { remove(viewer) }
    }

    // MARK: Viewers' feedback (on their transports' threads)

    /// A viewer asked for a keyframe (PLI) or joined.
    func keyframeRequested() {
        state.withLock { $0.keyframeWanted = true }
    }

    // MARK: The encoding threads

    /// Hands one encoder's datagrams (`kind`'s RTP, and sender reports) to every viewer.
    private func fanOut(_ datagrams: [[UInt8]], of kind: CallMediaKind, nowNanoseconds now: UInt64) {
        guard !datagrams.isEmpty else { return }
        let viewers = state.withLock { Array($0.viewers.values) }
        for datagram in datagrams {
            // Looked at once here, not once per viewer.
            let media = MultiplexedPacketKind.classify(datagram) == .rtp && datagram.count >= RTPPacket.minimumSize ? kind : nil
            for viewer in viewers { viewer.deliver(datagram, media: media, nowNanoseconds: now) }
            plainOutput?.send(datagram)
        }
    }

    private func runAudio() {
        guard let audio else { return }
        while !stop.isSet {
            guard let source = audioSource else {
                if stop.wait(seconds: 0.5) { break }
                continue
            }
            let captured: (samples: [Int16], captureTime: UInt64)
            do {
                guard let frame = try source.nextFrameBlocking() else {
                    fail(.audio, "the audio source ended")
                    continue
                }
                captured = frame
            } catch {
                fail(.audio, "the audio source failed: \(error)")
                continue
            }
            guard !stop.isSet else { break }
            let now = clock.nowNanoseconds()
            if state.withLock({ $0.sending.contains(.audio) }) {
                do {
                    fanOut(try audio.send(samples: captured.samples, captureTime: captured.captureTime, nowNanoseconds: now), of: .audio, nowNanoseconds: now)
                } catch {
                    fail(.audio, "audio could not be encoded: \(error)")
                }
            } else {
                audio.skipFrame(sampleCount: captured.samples.count)
                if let report = try? audio.transmitter.reportIfDue(nowNanoseconds: now) { fanOut([report], of: .audio, nowNanoseconds: now) }
            }
            let statistics = audio.statistics(nowNanoseconds: now)
            state.withLock { $0.audioStatistics = statistics }
        }
    }

    private func runVideo() {
        guard let video else { return }
        while !stop.isSet {
            guard let source = videoSource else {
                if stop.wait(seconds: 0.5) { break }
                continue
            }
            let captured: CapturedVideoFrame
            do {
                guard let frame = try source.nextFrameBlocking() else {
                    fail(.video, "the video source ended")
                    continue
                }
                captured = frame
            } catch {
                fail(.video, "the video source failed: \(error)")
                continue
            }
            guard !stop.isSet else { break }
            let now = clock.nowNanoseconds()
            let (sending, forceKeyframe) = state.withLock { state -> (Bool, Bool) in
                let sending = state.sending.contains(.video)
                guard sending, state.keyframeWanted,
                      state.lastForcedKeyframe.map({ now &- $0 >= Self.keyframeSpacingNanoseconds }) ?? true else { return (sending, false) }
                state.keyframeWanted = false
                state.lastForcedKeyframe = now
                return (sending, true)
            }
            if sending {
                if forceKeyframe { video.requestKeyframe() }
                do {
                    fanOut(try video.send(captured, nowNanoseconds: now), of: .video, nowNanoseconds: now)
                } catch {
                    fail(.video, "video could not be encoded: \(error)")
                }
            } else if let report = try? video.transmitter.reportIfDue(nowNanoseconds: now) {
                fanOut([report], of: .video, nowNanoseconds: now)
            }
            let statistics = video.statistics(nowNanoseconds: now)
            state.withLock { $0.videoStatistics = statistics }
        }
    }

    private func fail(_ kind: CallMediaKind, _ message: String) {
        if kind == .audio { audioSource = nil } else { videoSource = nil }
        onDeviceError(CallMediaDeviceError(kind: kind, role: .source, message: message))
    }
}

/// Why a broadcast could not take a viewer.
public enum BroadcastError: Error, Equatable, CustomStringConvertible {
    /// It serves as many viewers as it can.
    case full(Int)

    public var description: String {
        switch self {
        case .full(let count): "the broadcast has \(count) viewers, as many as it serves"
        }
    }
}
