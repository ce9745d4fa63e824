#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import ParleyMedia

/// What `parley stream benchmark` measures: the CPU the engine spends per second of media
/// against the bare codecs doing the same encoding and decoding in the same run, and the
/// end-to-end audio latency over UDP loopback.
public enum MediaBenchmark {
    /// CPU seconds per second of media for the bare codec and for the whole engine.
    public struct CostFigures: Codable, Sendable {
        public var mediaSeconds: Double
        public var bareCodecCPUSeconds: Double
        public var engineCPUSeconds: Double
        /// engine / bare − 1: the engine's overhead above the codecs.
        public var overhead: Double { engineCPUSeconds / bareCodecCPUSeconds - 1 }
    }

    public struct LatencyFigures: Codable, Sendable {
        /// One measurement per click: sample in → sample out, milliseconds.
        public var milliseconds: [Double]
        public func percentile(_ p: Double) -> Double {
            let sorted = milliseconds.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
        }
    }

    /// Media lengths outside `StreamLimits.benchmarkSecondsRange` (infinite, negative…) are refused.
    static func checkSeconds(_ seconds: Double) throws {
        if let problem = StreamLimits.secondsProblem(seconds, option: "seconds", in: StreamLimits.benchmarkSecondsRange) {
            throw StreamError.benchmarkFailed(problem)
        }
    }

    /// The process CPU time `work` takes.
    static func cpuSeconds(of work: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let start = now()
        try work()
        return now() - start
    }

    /// Speech-like test audio (voiced harmonics in syllables), 48 kHz mono.
    static func speech(frames: Int) -> [[Int16]] {
        var phase = 0.0
        return (0 ..< frames).map { frame in
            (0 ..< VoiceFormat.samplesPerFrame).map { offset in
                let time = Double(frame * VoiceFormat.samplesPerFrame + offset) / 48000
                phase += 2 * .pi * (160 + 60 * sin(2 * .pi * 0.7 * time)) / 48000
                var voice = 0.0
                for harmonic in 1 ... 8 { voice += sin(Double(harmonic) * phase) / Double(harmonic) }
                return Int16(clamping: Int(9000 * voice * max(0, sin(2 * .pi * 4 * time))))
            }
        }
    }

    /// `seconds` of audio: bare Opus encode + decode, then capture buffer → Opus → RTP →
    /// jitter buffer → decode → WAV sink through the engine's stream halves.
    public static func audioCost(seconds: Double, sinkPath: String) throws -> CostFigures {
        try checkSeconds(seconds)
        let frames = speech(frames: Int(seconds * 50))
        let settings = OpusEncoderSettings(bitrate: 32_000)
        let bare = try cpuSeconds {
            let encoder = try OpusAudioEncoder(settings: settings)
            let decoder = try OpusAudioDecoder()
            for frame in frames {
                if let packet = try encoder.encode(frame) { _ = try decoder.decode(packet) }
            }
        }
        let engine = try cpuSeconds {
            let media = MediaDescription.opus(port: 5004)
            let sender = try AudioStreamSender(description: media, settings: settings, canonicalName: "bench")
            let receiver = try AudioStreamReceiver(description: media, canonicalName: "bench")
            let sink = try WAVFileSink(path: sinkPath)
            for (index, frame) in frames.enumerated() {
                let now = 1_000_000_000 + UInt64(index) * 20_000_000
                for datagram in try sender.send(samples: frame, captureTime: now, nowNanoseconds: now) {
                    receiver.receive(datagram, nowNanoseconds: now)
                }
                // Reports are made but not fed back: "no loss" would lower the encoder's FEC
                // and make its work differ from the bare encoder's.
                _ = try receiver.reportIfDue(nowNanoseconds: now)
                if let played = receiver.playout() { try sink.write(played) }
            }
            try sink.finish()
        }
        return CostFigures(mediaSeconds: seconds, bareCodecCPUSeconds: bare, engineCPUSeconds: engine)
    }

    /// `seconds` of 640x480 at 30 fps (the test pattern, made before timing): bare VP8
    /// encode + decode, then frames → VP8 → RTP packets → frame assembly → decode through
    /// the engine's stream halves (the decoded frames go to a sink that drops them).
    public static func videoCost(seconds: Double, width: Int = 640, height: Int = 480, bitrate: Int = 1_000_000) throws -> CostFigures {
        try checkSeconds(seconds)
        let pattern = TestPatternGenerator(width: width, height: height)
        let count = Int(seconds * 30)
        let distinct = min(count, 90)
        let pictures = (0 ..< distinct).map { pattern.frame($0) }
        let settings = VP8EncoderSettings(width: width, height: height, bitrate: bitrate, frameRate: 30)
        let bare = try cpuSeconds {
            let encoder = try VP8VideoEncoder(settings: settings)
            let decoder = try VP8VideoDecoder()
            for index in 0 ..< count {
                for encoded in try encoder.encode(pictures[index % distinct], timestamp: Int64(index * 3000)) {
                    _ = try decoder.decode(encoded.data)
                }
            }
        }
        let engine = try cpuSeconds {
            let media = MediaDescription.vp8(port: 5006)
            let sender = try VideoStreamSender(description: media, settings: settings, canonicalName: "bench")
            let receiver = try VideoStreamReceiver(description: media, canonicalName: "bench")
            var shown = 0
            for index in 0 ..< count {
                let now = 1_000_000_000 + UInt64(index) * 33_333_333
                let captured = CapturedVideoFrame(frame: pictures[index % distinct], captureTime: now, index: UInt64(index))
                for datagram in try sender.send(captured, nowNanoseconds: now) {
                    shown += receiver.receive(datagram, nowNanoseconds: now).count
                }
                if let feedback = try receiver.feedbackIfDue(nowNanoseconds: now) { sender.receiveFeedback(feedback) }
            }
            guard shown == count else { throw StreamError.benchmarkFailed("video: \(shown) of \(count) frames came out of the engine") }
        }
        return CostFigures(mediaSeconds: seconds, bareCodecCPUSeconds: bare, engineCPUSeconds: engine)
    }

    /// Real-time audio over UDP loopback for `seconds`: a click every 250 ms goes through a
    /// paced source, the sender, a UDP socket, the receiver's jitter buffer and playout;
    /// each click's latency is from the moment its first sample was captured to the moment
    /// it is handed to the sink (device buffers excluded).
    public static func audioLatency(seconds: Double) async throws -> LatencyFigures {
        try checkSeconds(seconds)
        let clicksEvery = 12_000   // samples
        let frames = Int(seconds * 50)
        let samples: [Int16] = (0 ..< frames * 960).map { index in
            let offset = index % clicksEvery
            return offset < 96 ? Int16(20000 * sin(2 * .pi * 1000 * Double(offset) / 48000)) : 0
        }
        let receiverAddress = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
        let latencies = SharedValue<[Double]>([])
        let started = SharedValue<UInt64?>(nil)
        let media = MediaDescription.opus(port: 0)
        let receiverPort = SharedValue<Int>(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let receiver = try AudioStreamReceiver(description: media, canonicalName: "bench")
                var played = 0
                var quietSince = 0
                try await withDatagramSockets([receiverAddress]) { sockets in
                    receiverPort.value = sockets[0].localPort
                    try await runReceiver(receiver, socket: sockets[0]) { samples, tickTime in
                        for (offset, sample) in samples.enumerated() {
                            defer { played += 1 }
                            guard abs(Int(sample)) > 3000 else {
                                quietSince += 1
                                continue
                            }
                            if quietSince > 4800, let start = started.value {
                                // The click that starts at input sample s was captured at
                                // start + (s − 960) / 48 kHz (the pacer hands a frame out when its
                                // last sample is in). Input clicks are at multiples of clicksEvery.
                                let outputTime = Double(tickTime) + Double(offset) * 1e9 / 48000
                                let candidates = (0 ..< frames * 960 / clicksEvery).map { Double(start) + Double($0 * clicksEvery - 960) * 1e9 / 48000 }
                                if let input = candidates.last(where: { $0 <= outputTime }) {
                                    latencies.update { $0.append((outputTime - input) / 1e6) }
                                }
                            }
                            quietSince = 0
                        }
                    } until: { tick in
                        if let start = started.value, tick > start + UInt64((seconds + 1) * 1e9) { return true }
                        return false
                    }
                }
            }
            group.addTask {
                while receiverPort.value == 0 { try await Task.sleep(for: .milliseconds(5)) }
                let destination = try SocketAddress(ipAddress: "127.0.0.1", port: receiverPort.value)
                let sender = try AudioStreamSender(description: media, canonicalName: "bench")
                try await withDatagramSockets([try SocketAddress(ipAddress: "127.0.0.1", port: 0)]) { sockets in
                    var pacer = RealTimePacer(clock: MonotonicClock(), framesPerSecondNumerator: 50)
                    for frame in 0 ..< frames {
                        let captureTime = try await pacer.waitForNextFrame()
                        if frame == 0 { started.value = captureTime }
                        let block = Array(samples[frame * 960 ..< (frame + 1) * 960])
                        for datagram in try sender.send(samples: block, captureTime: captureTime, nowNanoseconds: captureTime) {
                            try await sockets[0].send(datagram, to: destination)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return LatencyFigures(milliseconds: latencies.value)
    }

    /// The receiving loop of `StreamReceiver` for one audio stream, handing each played
    /// frame and its tick time to `played` until `until` says stop.
    private static func runReceiver(
        _ receiver: AudioStreamReceiver, socket: DatagramSocket, played: ([Int16], UInt64) -> Void, until: (UInt64) -> Bool
    ) async throws {
        try await StreamReceiver.runEvents(on: [socket], tickNanoseconds: 20_000_000) { event, _ in
            switch event {
            case let .datagram(bytes, arrival, _):
                receiver.receive(bytes, nowNanoseconds: arrival)
                return true
            case let .tick(now):
                if let samples = receiver.playout() { played(samples, now) }
                return !until(now)
            }
        }
    }
}
