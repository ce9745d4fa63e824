import NIOCore
import ParleyMedia

/// What `parley stream send` sends and where.
public struct StreamSendOptions: Sendable {
    public var destination: StreamDestination
    public var audio: AudioSourceSpecifier?
    public var video: VideoSourceSpecifier?
    /// Stop after this many seconds of media (nil: until the sources end or a stop request).
    public var duration: Double?
    public var srtpKey: SRTPKeyingMaterial?
    public var audioSettings = OpusEncoderSettings(bitrate: 32_000)
    public var videoBitrate = 800_000
    public var frameRate = 30
    /// A keyframe at least this often, in seconds (nil: only when a receiver asks).
    public var keyframeInterval: Double? = 2
    /// VP8 threads: one per core (at most 16).
    public var videoThreads = min(System.coreCount, 16)

    public init(destination: StreamDestination, audio: AudioSourceSpecifier? = nil, video: VideoSourceSpecifier? = nil) {
        self.destination = destination
        self.audio = audio
        self.video = video
    }

    /// Audio goes to the destination port, video to the next even port after it when
    /// both are sent (as ffmpeg lays out RTP outputs).
    public var audioPort: Int { destination.port }
    public var videoPort: Int { audio == nil ? destination.port : destination.port + 2 }

    /// The SDP that describes this stream to a receiver (Parley, ffmpeg, any RTP tool).
    public var sessionDescription: SessionDescription {
        var media: [MediaDescription] = []
        if audio != nil { media.append(.opus(port: audioPort, srtpKey: srtpKey)) }
        if video != nil { media.append(.vp8(port: videoPort, srtpKey: srtpKey)) }
        return SessionDescription(connectionAddress: destination.host, media: media)
    }
}

/// `parley stream send`: real-time sources → encoders → RTP/SRTP over UDP, with RTCP
/// (sender reports out; receiver reports, keyframe requests in) and a BYE at the end.
public enum StreamSender {
    /// Opens the sources, sends until they end, the duration is reached or `stop` is
    /// requested, then says BYE. `report` gets a statistics snapshot every `reportInterval`
    /// seconds (when given) and a final one.
    public static func run(
        _ options: StreamSendOptions, stop: StreamStopSignal, reportInterval: Double?, report: @escaping @Sendable (StreamReport) -> Void
    ) async throws {
        guard options.audio != nil || options.video != nil else { throw StreamError.nothingToSend }
        let audioSource = try options.audio?.open()
        let videoSource = try options.video?.open(frameRate: options.frameRate)
        let description = options.sessionDescription
        let canonicalName = "parley-\(UInt32.random(in: .min ... .max))"
        let reporter = StreamReporter(started: MonotonicClock().nowNanoseconds())
        let audioAddress = try resolve(host: options.destination.host, port: options.audioPort)
        let videoAddress = try resolve(host: options.destination.host, port: options.videoPort)
        let reporting = Task { await reporter.run(every: reportInterval, deliver: report) }
        defer { reporting.cancel() }
        async let audioDone: Void = sendAudio(description.audio, canonicalName: canonicalName, from: audioSource, to: audioAddress, options: options, stop: stop, reporter: reporter)
        async let videoDone: Void = sendVideo(description.video, canonicalName: canonicalName, from: videoSource, to: videoAddress, options: options, stop: stop, reporter: reporter)
        try await audioDone
        try await videoDone
        report(reporter.report(final: true))
    }

    private static func sendAudio(
        _ media: MediaDescription?, canonicalName: String, from source: (any AudioSource)?, to destination: SocketAddress,
        options: StreamSendOptions, stop: StreamStopSignal, reporter: StreamReporter
    ) async throws {
        guard let media, let source else { return }
        let sender = try AudioStreamSender(description: media, settings: options.audioSettings, canonicalName: canonicalName)
        try await sendStream(sender, kind: .audio, to: destination, options: options, stop: stop, reporter: reporter) {
            guard let (samples, captureTime) = try await source.nextFrame() else { return nil }
            return (captureTime, { now in try sender.send(samples: samples, captureTime: captureTime, nowNanoseconds: now) })
        }
    }

    private static func sendVideo(
        _ media: MediaDescription?, canonicalName: String, from source: (any VideoSource)?, to destination: SocketAddress,
        options: StreamSendOptions, stop: StreamStopSignal, reporter: StreamReporter
    ) async throws {
        guard let media, let source else { return }
        let settings = VP8EncoderSettings(
            width: source.width, height: source.height, bitrate: options.videoBitrate, frameRate: options.frameRate,
            threads: options.videoThreads)
        let sender = try VideoStreamSender(description: media, settings: settings, canonicalName: canonicalName,
                                           keyframeIntervalSeconds: options.keyframeInterval)
        try await sendStream(sender, kind: .video, to: destination, options: options, stop: stop, reporter: reporter) {
            guard let captured = try await source.nextFrame() else { return nil }
            return (captured.captureTime, { now in try sender.send(captured, nowNanoseconds: now) })
        }
    }

    /// One stream's loop: takes the next frame from `nextFrame` (its capture time, and how
    /// to encode it into datagrams at a given time) until the source ends, the duration is
    /// reached or a stop is requested; applies the RTCP that came back between frames;
    /// ends with a BYE.
    private static func sendStream(
        _ sender: some MediaStreamSending, kind: MediaDescription.Kind, to destination: SocketAddress, options: StreamSendOptions,
        stop: StreamStopSignal, reporter: StreamReporter,
        nextFrame: () async throws -> (captureTime: UInt64, encode: (UInt64) throws -> [[UInt8]])?
    ) async throws {
        let clock = MonotonicClock()
        try await withFeedback(to: destination) { socket, feedback in
            var firstCapture: UInt64?
            while !stop.isRequested, let (captureTime, encode) = try await nextFrame() {
                let first = firstCapture ?? captureTime
                firstCapture = first
                if let duration = options.duration, Double(captureTime - first) / 1e9 >= duration { break }
                let now = clock.nowNanoseconds()
                for (datagram, arrival) in feedback.exchange([]) {
                    for resent in sender.receiveFeedback(datagram, arrival: arrival, nowNanoseconds: now) {
                        try await socket.send(resent, to: destination)
                    }
                }
                for datagram in try encode(now) {
                    try await socket.send(datagram, to: destination)
                }
                reporter.sent.update { $0[kind] = sender.statistics(nowNanoseconds: now) }
            }
            let now = clock.nowNanoseconds()
            try await socket.send(try sender.goodbye(nowNanoseconds: now), to: destination)
            reporter.sent.update { $0[kind] = sender.statistics(nowNanoseconds: now) }
        }
    }

    /// Opens the stream's socket (any free port), collects what comes back on it
    /// (RTCP feedback, with its arrival time for the RTT) for `body` to apply between
    /// frames, and runs `body`.
    private static func withFeedback(
        to destination: SocketAddress,
        _ body: (DatagramSocket, SharedValue<[([UInt8], NTPTimestamp)]>) async throws -> Void
    ) async throws {
        try await withDatagramSockets([try wildcard(like: destination)]) { sockets in
            let socket = sockets[0]
            let feedback = SharedValue<[([UInt8], NTPTimestamp)]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await datagram in socket.inbound {
                        let item = (Array(buffer: datagram.data), NTPTimestamp.now())
                        feedback.update { if $0.count < 64 { $0.append(item) } }   // bounded against floods
                    }
                }
                try await body(socket, feedback)
                group.cancelAll()
            }
        }
    }
}
