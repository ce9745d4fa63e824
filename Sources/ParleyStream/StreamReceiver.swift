import NIOCore
import ParleyMedia

/// What `parley stream receive` receives and where it goes.
public struct StreamReceiveOptions: Sendable {
    public var sessionDescription: SessionDescription
    public var audioOut: AudioSinkSpecifier?
    public var videoOut: VideoSinkSpecifier?
    /// A video sink the caller makes (the terminal of `--video-out term`), used instead of
    /// `videoOut`; called once, on the video task, when the stream starts.
    public var videoSinkFactory: (@Sendable () throws -> any VideoSink)?
    /// Stop after this many seconds (nil: until every stream said BYE or a stop request).
    public var duration: Double?
    /// The local address to bind (the wildcard of the SDP address's family by default).
    public var listenAddress: String?
    /// VP8 threads: one per core (at most 16).
    public var videoThreads = min(System.coreCount, 16)
    /// The largest picture (width × height) a received keyframe may declare; larger ones are
    /// refused before libvpx allocates for them and counted as decoder errors.
    public var maximumVideoPixels = VP8VideoDecoder.defaultMaximumPixels

    public init(sessionDescription: SessionDescription, audioOut: AudioSinkSpecifier? = nil, videoOut: VideoSinkSpecifier? = nil) {
        self.sessionDescription = sessionDescription
        self.audioOut = audioOut
        self.videoOut = videoOut
    }
}

/// `parley stream receive`: UDP → SRTP/RTP → jitter buffer and decoders → sinks, in real
/// time, with RTCP receiver reports and keyframe requests sent back to where the media
/// comes from (symmetric RTP).
public enum StreamReceiver {
    /// One thing that happened to a receiving stream, in the order its loop handles them.
    enum Event: Sendable {
        case datagram([UInt8], arrival: UInt64, from: SocketAddress)
        case tick(UInt64)
    }

    public static func run(
        _ options: StreamReceiveOptions, stop: StreamStopSignal, reportInterval: Double?, report: @escaping @Sendable (StreamReport) -> Void
    ) async throws {
        let sdp = options.sessionDescription
        let audio = options.audioOut.flatMap { sink in sdp.audio.map { (sink, $0) } }
        let openVideoSink: (@Sendable () throws -> any VideoSink)? = options.videoSinkFactory
            ?? options.videoOut.map { specifier in { @Sendable in specifier.open() } }
        let video = openVideoSink.flatMap { open in sdp.video.map { (open, $0) } }
        guard audio != nil || video != nil else { throw StreamError.nothingToReceive }
        // Parsed SDPs are checked already; a description built in code is checked here,
        // before its ports reach the sockets.
        try audio?.1.validate()
        try video?.1.validate()
        let canonicalName = "parley-\(UInt32.random(in: .min ... .max))"
        let family = try resolve(host: sdp.connectionAddress, port: 0)
        let listen = options.listenAddress
        func addresses(_ media: MediaDescription) throws -> [SocketAddress] {
            let ports = media.rtcpMultiplexed ? [media.port] : [media.port, media.rtcpPort]
            return try ports.map { port in
                try listen.map { try resolve(host: $0, port: port) } ?? wildcard(like: family, port: port)
            }
        }
        let streamCount = (audio == nil ? 0 : 1) + (video == nil ? 0 : 1)
        let reporter = StreamReporter(started: MonotonicClock().nowNanoseconds())
        let deadline = options.duration.map { duration in
            let (deadline, overflow) = reporter.started.addingReportingOverflow(StreamLimits.nanoseconds(duration))
            return overflow ? UInt64.max : deadline
        }
        let audioPlaying = SharedValue<AudioPlaying?>(nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let reportInterval {
                group.addTask { await reporter.run(every: reportInterval, deliver: report) }
            }
            if let (sink, media) = audio {
                let addresses = try addresses(media)
                group.addTask {
                    let receiver = try AudioStreamReceiver(description: media, canonicalName: canonicalName)
                    try await receiveAudio(
                        receiver, into: try sink.open(), on: addresses, deadline: deadline, stop: stop, reporter: reporter, playing: audioPlaying)
                }
            }
            if let (openSink, media) = video {
                let addresses = try addresses(media)
                let (threads, maximumPixels) = (options.videoThreads, options.maximumVideoPixels)
                group.addTask {
                    let receiver = try VideoStreamReceiver(
                        description: media, canonicalName: canonicalName, decoderThreads: threads, maximumPixels: maximumPixels)
                    try await receiveVideo(
                        receiver, into: try openSink(), on: addresses, deadline: deadline, stop: stop, reporter: reporter, audio: audioPlaying)
                }
            }
            var remaining = streamCount
            while remaining > 0, (try await group.next()) != nil {
                remaining -= 1
            }
            group.cancelAll()
        }
        report(reporter.report(final: true))
    }

    /// What the audio task tells the video task for lip sync.
    struct AudioPlaying: Sendable {
        var timestamp: UInt32
        var senderReport: RTCPSenderReport
    }

    private static func receiveAudio(
        _ receiver: AudioStreamReceiver, into sink: any AudioSink, on addresses: [SocketAddress], deadline: UInt64?,
        stop: StreamStopSignal, reporter: StreamReporter, playing: SharedValue<AudioPlaying?>
    ) async throws {
        var sinkError: (any Error)?
        try await receiveStream(on: addresses, tickNanoseconds: 20_000_000) { event, reply in
            switch event {
            case let .datagram(bytes, arrival, from):
                receiver.receive(bytes, nowNanoseconds: arrival)
                if MultiplexedPacketKind.classify(bytes) == .rtp { reply.target = from }
                return true
            case let .tick(now):
                if let samples = receiver.playout() {
                    do { try sink.write(samples) } catch {
                        sinkError = error
                        return false
                    }
                    if let current = receiver.playingNow { playing.value = AudioPlaying(timestamp: current.timestamp, senderReport: current.senderReport) }
                }
                // Reports carry the delay since the last SR: measure it now, not at the tick.
                if let report = try receiver.reportIfDue(nowNanoseconds: MonotonicClock().nowNanoseconds()) { try await reply.send(report) }
                var statistics = receiver.statistics(nowNanoseconds: now)
                statistics.sinkFramesDropped = sink.framesDropped
                reporter.received.update { $0[.audio] = statistics }
                return !receiver.isFinished && !stop.isRequested && deadline.map { now < $0 } ?? true
            }
        }
        try sink.finish()
        if let sinkError { throw sinkError }
    }

    private static func receiveVideo(
        _ receiver: VideoStreamReceiver, into sink: any VideoSink, on addresses: [SocketAddress], deadline: UInt64?,
        stop: StreamStopSignal, reporter: StreamReporter, audio: SharedValue<AudioPlaying?>
    ) async throws {
        var sinkError: (any Error)?
        var videoLead: Double?
        // Pictures ahead of the sound wait here (lip sync).
        var playout = VideoPlayoutQueue<DecodedVideoFrame>()
        /// How far the picture of `frame` was captured after the sound playing now (seconds).
        func lead(of frame: DecodedVideoFrame) -> Double? {
            guard let videoReport = receiver.reception.lastSenderReport, let playing = audio.value else { return nil }
            var sync = LipSync()
            sync.audioSenderReport(playing.senderReport)
            sync.videoSenderReport(videoReport)
            return sync.videoLead(audioTimestamp: playing.timestamp, videoTimestamp: frame.rtpTimestamp)
        }
        /// Writes frames to the sink; false when the sink failed.
        func write(_ frames: [DecodedVideoFrame]) -> Bool {
            do {
                for decoded in frames { try sink.write(decoded.frame) }
            } catch {
                sinkError = error
                return false
            }
            if let shown = frames.last, let lead = lead(of: shown) { videoLead = lead }
            return true
        }
        /// Queues decoded frames for playout and writes those due; false when the sink failed.
        func show(_ frames: [DecodedVideoFrame]) -> Bool {
            let now = MonotonicClock().nowNanoseconds()
            for decoded in frames {
                guard write(playout.add(decoded, videoLead: lead(of: decoded), nowNanoseconds: now)) else { return false }
            }
            return write(playout.release(nowNanoseconds: now))
        }
        // 10 ms ticks: lost packets are asked for again and given up on in time.
        try await receiveStream(on: addresses, tickNanoseconds: 10_000_000) { event, reply in
            switch event {
            case let .datagram(bytes, arrival, from):
                if MultiplexedPacketKind.classify(bytes) == .rtp { reply.target = from }
                guard show(receiver.receive(bytes, nowNanoseconds: arrival)) else { return false }
                if let feedback = try receiver.feedbackIfDue(nowNanoseconds: MonotonicClock().nowNanoseconds()) {
                    try await reply.send(feedback)
                }
                return !receiver.isFinished
            case let .tick(now):
                guard show(receiver.poll(nowNanoseconds: now)) else { return false }   // also shows the frames now due
                if let feedback = try receiver.feedbackIfDue(nowNanoseconds: MonotonicClock().nowNanoseconds()) {
                    try await reply.send(feedback)
                }
                var statistics = receiver.statistics(nowNanoseconds: now)
                statistics.videoLeadMilliseconds = videoLead.map { $0 * 1000 }
                statistics.videoHoldMilliseconds = Double(playout.lastHold) / 1e6
                reporter.received.update { $0[.video] = statistics }
                return !receiver.isFinished && !stop.isRequested && deadline.map { now < $0 } ?? true
            }
        }
        if sinkError == nil { _ = write(playout.flush()) }
        var statistics = receiver.statistics(nowNanoseconds: MonotonicClock().nowNanoseconds())
        statistics.videoLeadMilliseconds = videoLead.map { $0 * 1000 }
        statistics.videoHoldMilliseconds = Double(playout.lastHold) / 1e6
        reporter.received.update { $0[.video] = statistics }
        try sink.finish()
        if let sinkError { throw sinkError }
    }

    /// Where a receiving stream's RTCP goes: back to the address its RTP comes from.
    final class Reply {
        let socket: DatagramSocket
        var target: SocketAddress?

        init(socket: DatagramSocket) {
            self.socket = socket
        }

        func send(_ bytes: [UInt8]) async throws {
            guard let target else { return }
            try await socket.send(bytes, to: target)
        }
    }

    /// Binds `addresses` (RTP, and RTCP when not multiplexed), feeds every datagram and a
    /// tick every `tickNanoseconds` of the monotonic clock to `handle`, in order, on one
    /// task, until `handle` returns false.
    static func receiveStream(
        on addresses: [SocketAddress], tickNanoseconds: UInt64, _ handle: (Event, Reply) async throws -> Bool
    ) async throws {
        try await withDatagramSockets(addresses) { sockets in
            try await runEvents(on: sockets, tickNanoseconds: tickNanoseconds, handle)
        }
    }

    /// The event loop of `receiveStream` on sockets that are open already.
    static func runEvents(
        on sockets: [DatagramSocket], tickNanoseconds: UInt64, _ handle: (Event, Reply) async throws -> Bool
    ) async throws {
        let (events, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let reply = Reply(socket: sockets[0])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for socket in sockets {
                group.addTask {
                    let clock = MonotonicClock()
                    for try await datagram in socket.inbound {
                        continuation.yield(.datagram(Array(buffer: datagram.data), arrival: clock.nowNanoseconds(), from: datagram.remoteAddress))
                    }
                }
            }
            group.addTask {
                let clock = MonotonicClock()
                var pacer = RealTimePacer(clock: clock, framesPerSecondNumerator: Int(1_000_000_000 / tickNanoseconds))
                while !Task.isCancelled {
                    continuation.yield(.tick(try await pacer.waitForNextFrame()))
                }
            }
            for await event in events {
                guard try await handle(event, reply) else { break }
            }
            continuation.finish()
            group.cancelAll()
        }
    }
}
