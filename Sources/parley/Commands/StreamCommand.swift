import ArgumentParser
import Foundation
import ParleyMedia
import ParleyStream
import ParleyTerminalVideo

/// `parley stream`: the media engine on its own, speaking standard RTP described by SDP.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Send or receive audio and video as standard RTP (Opus, VP8, SRTP) described by SDP.",
        discussion: """
            The engine calls use, on its own: any RTP tool can be the other end (ffmpeg, GStreamer, \
            another Parley). Audio is Opus 48 kHz mono in 20 ms packets (RFC 7587, payload type 111), \
            video VP8 (RFC 7741, payload type 96), each on its own port with RTCP multiplexed. Start the \
            receiver first: `parley stream send … --sdp out.sdp --sdp-only` writes the SDP without sending.
            """,
        subcommands: [StreamSendCommand.self, StreamReceiveCommand.self, StreamBenchmarkCommand.self])
}

/// `parley stream send`.
struct StreamSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send audio and/or video over RTP to HOST:PORT.",
        discussion: """
            SRC for --audio: alsa:DEVICE (alsa = alsa:default), wav:PATH, wav-loop:PATH (48 kHz mono 16-bit). \
            SRC for --video: v4l2:/dev/videoN, y4m:PATH (loops), pattern[:WIDTHxHEIGHT] (a moving test \
            pattern with a frame counter, 640x480 by default). File and pattern sources are paced in real \
            time. Audio goes to PORT, video to PORT+2 when both are sent. Ends with an RTCP BYE when the \
            sources end, after --duration, or on Ctrl-C/SIGTERM.
            """)

    @Option(name: .customLong("to"), help: ArgumentHelp("Where to send: HOST:PORT ([ADDRESS]:PORT for IPv6), an even port.", valueName: "HOST:PORT"))
    var destination: String

    @Option(help: ArgumentHelp("Audio source.", valueName: "SRC")) var audio: String?
    @Option(help: ArgumentHelp("Video source.", valueName: "SRC")) var video: String?

    @Option(help: ArgumentHelp("Write the SDP describing the stream to this file.", valueName: "OUT.sdp"))
    var sdp: String?

    @Flag(name: .customLong("sdp-only"), help: "Write the SDP and exit without sending (start the receiver with it first).")
    var sdpOnly = false

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "S")) var duration: Double?

    @Option(name: .customLong("srtp-key"), help: ArgumentHelp(
        "Encrypt with SRTP AES_CM_128_HMAC_SHA1_80: 30 bytes of key and salt in base64, as in an SDP a=crypto line, or 'random'.",
        valueName: "KEY"))
    var srtpKey: String?

    @Option(name: .customLong("audio-bitrate"), help: ArgumentHelp("Opus bit rate in kb/s (16–64).", valueName: "KBPS"))
    var audioBitrate = 32

    @Flag(help: "Discontinuous transmission: send nothing during silence.") var dtx = false

    @Option(name: .customLong("video-bitrate"), help: ArgumentHelp("VP8 target bit rate in kb/s.", valueName: "KBPS"))
    var videoBitrate = 800

    @Option(name: .customLong("frame-rate"), help: ArgumentHelp("Frames per second for the camera and the pattern.", valueName: "FPS"))
    var frameRate = 30

    @Option(name: .customLong("keyframe-interval"), help: ArgumentHelp(
        "A keyframe at least every S seconds, so a receiver that joins late (or cannot ask for one, like ffmpeg) gets a picture; 0: only when asked (PLI).",
        valueName: "S"))
    var keyframeInterval = 2.0

    @Flag(help: "Print statistics as one JSON line per second on standard output, and a final one.")
    var stats = false

    func validate() throws {
        guard audio != nil || video != nil else { throw ValidationError("give --audio SRC, --video SRC or both") }
        // Range first, then × 1000: a huge number must not overflow on the way.
        let (audioBitsPerSecond, overflow) = audioBitrate.multipliedReportingOverflow(by: 1000)
        guard !overflow, OpusEncoderSettings.bitrateRange.contains(audioBitsPerSecond) else { throw ValidationError("--audio-bitrate is 16 to 64 (kb/s)") }
        guard (50 ... 20_000).contains(videoBitrate) else { throw ValidationError("--video-bitrate is 50 to 20000 (kb/s)") }
        guard (1 ... 120).contains(frameRate) else { throw ValidationError("--frame-rate is 1 to 120") }
        guard keyframeInterval == 0 || (0.1 ... 3600).contains(keyframeInterval) else {
            throw ValidationError("--keyframe-interval is 0 (only when asked) or 0.1 to 3600 seconds")
        }
        if sdpOnly && sdp == nil { throw ValidationError("--sdp-only needs --sdp OUT.sdp") }
        if let duration, let problem = StreamLimits.durationProblem(duration, option: "--duration") { throw ValidationError(problem) }
    }

    func run() async throws {
        var options = StreamSendOptions(destination: try StreamDestination(parsing: destination))
        do {
            options.audio = try audio.map { try AudioSourceSpecifier(parsing: $0) }
            options.video = try video.map { try VideoSourceSpecifier(parsing: $0) }
            options.srtpKey = try srtpKey.map { text in
                text == "random"
                    ? try SRTPKeyingMaterial(bytes: (0 ..< 30).map { _ in UInt8.random(in: .min ... .max) })
                    : try SRTPKeyingMaterial(sdpInline: text)
            }
        } catch {
            throw ValidationError("\(error)")
        }
        options.duration = duration
        options.audioSettings = OpusEncoderSettings(bitrate: audioBitrate * 1000, discontinuousTransmission: dtx)
        options.videoBitrate = videoBitrate * 1000
        options.frameRate = frameRate
        options.keyframeInterval = keyframeInterval == 0 ? nil : keyframeInterval
        if let sdp {
            do {
                try options.sessionDescription.text.write(toFile: sdp, atomically: true, encoding: .utf8)
            } catch {
                throw StreamError.cannotWriteSDP(path: sdp, reason: error.localizedDescription)
            }
        }
        if sdpOnly { return }
        try await StreamOutput.run(stats: stats) { stop, interval, report in
            try await StreamSender.run(options, stop: stop, reportInterval: interval, report: report)
        }
    }
}

/// `parley stream receive`.
struct StreamReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Receive the RTP streams an SDP file describes and play or record them.",
        discussion: """
            SINK for --audio-out: alsa:DEVICE (alsa = alsa:default) or wav:PATH; for --video-out: y4m:PATH, \
            or term (the video drawn in this terminal with a status line of the stream's statistics; \
            --renderer and --colors as for `parley view`, q quits). \
            Files are written as PATH.part and renamed to PATH when the stream ends, so an interrupted \
            recording never looks complete. Reads SDP from Parley, ffmpeg (-sdp_file) or any RTP tool: Opus \
            and VP8, plain RTP or SRTP with an a=crypto AES_CM_128_HMAC_SHA1_80 key. Ends when every stream \
            has said BYE, after --duration, or on Ctrl-C/SIGTERM.
            """)

    @Option(help: ArgumentHelp("The SDP describing what arrives.", valueName: "IN.sdp")) var sdp: String

    @Option(name: .customLong("audio-out"), help: ArgumentHelp("Where the audio goes.", valueName: "SINK"))
    var audioOut: String?

    @Option(name: .customLong("video-out"), help: ArgumentHelp("Where the video goes.", valueName: "SINK"))
    var videoOut: String?

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "S")) var duration: Double?

    @Option(help: ArgumentHelp("Local address to bind (default: any address of the SDP's family).", valueName: "ADDRESS"))
    var listen: String?

    @Flag(help: "Print statistics as one JSON line per second on standard output, and a final one.")
    var stats = false

    @Option(help: ArgumentHelp("With --video-out term: auto, kitty, sixel or blocks.", valueName: "RENDERER"),
            completion: .list(VideoRendererChoice.allCases.map(\.rawValue)))
    var renderer: String = VideoRendererChoice.auto.rawValue

    @Option(help: ArgumentHelp("With --video-out term: truecolor or 256.", valueName: "COLORS"), completion: .list(["truecolor", "256"]))
    var colors: String?

    /// `--video-out term`: the video goes to this terminal.
    var videoToTerminal: Bool { videoOut == "term" || videoOut == "terminal" }

    func validate() throws {
        guard audioOut != nil || videoOut != nil else { throw ValidationError("give --audio-out SINK, --video-out SINK or both") }
        if let duration, let problem = StreamLimits.durationProblem(duration, option: "--duration") { throw ValidationError(problem) }
        guard VideoRendererChoice(rawValue: renderer) != nil else { throw ValidationError("--renderer is auto, kitty, sixel or blocks") }
        if let colors, TerminalColorMode(parsing: colors) == nil { throw ValidationError("--colors is truecolor or 256") }
        if videoToTerminal && stats {
            throw ValidationError("--stats prints on standard output, where --video-out term draws the video: use one of them")
        }
    }

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: sdp, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read the SDP \(sdp): \(error.localizedDescription)")
        }
        var options = StreamReceiveOptions(sessionDescription: try SessionDescription(parsing: text))
        do {
            options.audioOut = try audioOut.map { try AudioSinkSpecifier(parsing: $0) }
            if !videoToTerminal { options.videoOut = try videoOut.map { try VideoSinkSpecifier(parsing: $0) } }
        } catch {
            throw ValidationError("\(error)")
        }
        options.duration = duration
        options.listenAddress = listen
        if videoToTerminal {
            try await receiveIntoTerminal(options)
            return
        }
        try await StreamOutput.run(stats: stats) { stop, interval, report in
            try await StreamReceiver.run(options, stop: stop, reportInterval: interval, report: report)
        }
    }
}

extension StreamReceiveCommand {
    /// `--video-out term`: the terminal becomes the screen for the stream's video; the status
    /// line carries its statistics every second; the summary is printed once the terminal is back.
    func receiveIntoTerminal(_ options: StreamReceiveOptions) async throws {
        var options = options
        let screen = try TerminalVideoScreen(
            settings: .init(renderer: VideoRendererChoice(rawValue: renderer) ?? .auto, colors: colors.flatMap { TerminalColorMode(parsing: $0) }),
            title: "stream")
        let stop = StreamStopSignal()
        screen.onQuit { stop.request() }
        let signals = SignalHandlers([SIGINT, SIGTERM, SIGHUP]) { _ in stop.request() }
        defer {
            signals.cancel()
            screen.close()
        }
        options.videoSinkFactory = { TerminalScreenSink(screen: screen) }
        let final = Locked<StreamReport?>(nil)
        do {
            try await StreamReceiver.run(options, stop: stop, reportInterval: 1) { report in
                if report.final {
                    final.update { $0 = report }
                } else {
                    screen.statusText = Self.statusText(report)
                }
            }
        } catch {
            screen.close()
            throw error
        }
        screen.close()
        if let report = final.value { StreamOutput.emit(report, asJSON: false) }
    }

    /// The stream's part of the status line.
    static func statusText(_ report: StreamReport) -> String {
        report.received.map { received in
            var text = "\(received.kind.rawValue) \(received.packetsReceived) pkts, \(received.packetsLost) lost"
            if received.kind == .video {
                text += ", \(received.framesDecoded) frames"
                if let fps = received.framesPerSecond { text += String(format: " %.0f fps", fps) }
            }
            text += String(format: ", %.0f kb/s, jitter %.1f ms", Double(received.bitrate) / 1000, received.jitterMilliseconds)
            if received.decoderErrors > 0 { text += ", \(received.decoderErrors) decoder errors" }
            return text
        }.joined(separator: " · ")
    }
}

/// The video sink of `--video-out term`: hands frames to the screen's writer thread (never
/// blocks the receiving task; frames the terminal cannot keep up with are dropped there).
final class TerminalScreenSink: VideoSink {
    let screen: TerminalVideoScreen

    init(screen: TerminalVideoScreen) {
        self.screen = screen
    }

    func write(_ frame: I420Frame) throws {
        screen.show(frame)
    }

    func finish() throws {}
}

/// Prints stream statistics: JSON lines on stdout with --stats, and a summary of the final
/// report on stderr.
enum StreamOutput {
    /// Runs a stream until it ends, or until SIGINT or SIGTERM asks it to stop cleanly (BYE
    /// sent, files completed), printing its statistics every second with `stats`.
    static func run(
        stats: Bool, _ stream: (StreamStopSignal, Double?, @escaping @Sendable (StreamReport) -> Void) async throws -> Void
    ) async throws {
        let stop = StreamStopSignal()
        let signals = SignalHandlers([SIGINT, SIGTERM]) { _ in stop.request() }
        defer { signals.cancel() }
        try await stream(stop, stats ? 1 : nil) { report in emit(report, asJSON: stats) }
    }

    static func emit(_ report: StreamReport, asJSON: Bool) {
        if asJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(report) {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        }
        guard report.final else { return }
        var lines: [String] = []
        for sent in report.sent {
            lines.append("sent \(sent.kind.rawValue): \(sent.packetsSent) packets, \(sent.framesSent) frames"
                + (sent.roundTripMilliseconds.map { String(format: ", RTT %.1f ms", $0) } ?? ""))
        }
        for received in report.received {
            var line = "received \(received.kind.rawValue): \(received.packetsReceived) packets, \(received.packetsLost) lost, "
                + "\(received.framesDecoded) frames decoded"
            if let concealed = received.framesConcealed { line += ", \(concealed) concealed" }
            if received.decoderErrors > 0 { line += ", \(received.decoderErrors) decoder errors" }
            if received.packetsRejected > 0 { line += ", \(received.packetsRejected) datagrams rejected" }
            lines.append(line)
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
