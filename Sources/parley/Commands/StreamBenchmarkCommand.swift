import ArgumentParser
import Foundation
import ParleyMedia
import ParleyStream

/// `parley stream benchmark`: what the media engine costs on this machine.
struct StreamBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure the engine's CPU cost against the bare codecs, and audio latency over UDP loopback.",
        discussion: """
            Audio: speech-like 48 kHz mono through Opus 32 kb/s, RTP, the jitter buffer, decoding and a WAV \
            sink, against libopus encoding and decoding the same frames alone. Video: 640x480 at 30 fps through \
            VP8 1 Mb/s, RTP packets, frame assembly and decoding, against libvpx alone. Latency: a click every \
            250 ms through a real-time source, UDP loopback and the playout clock. Prints JSON; bench/media.py \
            runs it on a release build.
            """)

    @Option(name: .customLong("audio-seconds"), help: ArgumentHelp("Seconds of audio for the CPU measurement.", valueName: "S"))
    var audioSeconds = 60.0

    @Option(name: .customLong("video-seconds"), help: ArgumentHelp("Seconds of video for the CPU measurement.", valueName: "S"))
    var videoSeconds = 10.0

    @Option(name: .customLong("latency-seconds"), help: ArgumentHelp("Seconds of real-time audio for the latency.", valueName: "S"))
    var latencySeconds = 30.0

    func validate() throws {
        for (option, seconds) in [("--audio-seconds", audioSeconds), ("--video-seconds", videoSeconds), ("--latency-seconds", latencySeconds)] {
            if let problem = StreamLimits.secondsProblem(seconds, option: option, in: StreamLimits.benchmarkSecondsRange) {
                throw ValidationError(problem)
            }
        }
    }

    func run() async throws {
        let sink = FileManager.default.temporaryDirectory.appending(path: "parley-benchmark-\(getpid()).wav").path
        defer { try? FileManager.default.removeItem(atPath: sink) }
        let audio = try MediaBenchmark.audioCost(seconds: audioSeconds, sinkPath: sink)
        let video = try MediaBenchmark.videoCost(seconds: videoSeconds)
        let latency = try await MediaBenchmark.audioLatency(seconds: latencySeconds)
        try JSONOutput.print(BenchmarkJSON(
            audio: Cost(audio), video: Cost(video),
            latency: Latency(
                clicks: latency.milliseconds.count, p50: latency.percentile(0.5), p99: latency.percentile(0.99),
                max: latency.milliseconds.max() ?? .nan)))
    }

    struct Cost: Encodable {
        let mediaSeconds, bareCodecCPUSeconds, engineCPUSeconds, overhead: Double

        init(_ figures: MediaBenchmark.CostFigures) {
            mediaSeconds = figures.mediaSeconds
            bareCodecCPUSeconds = figures.bareCodecCPUSeconds
            engineCPUSeconds = figures.engineCPUSeconds
            overhead = figures.overhead
        }
    }

    struct Latency: Encodable {
        let clicks: Int
        let p50, p99, max: Double
    }

    struct BenchmarkJSON: Encodable {
        let audio: Cost
        let video: Cost
        let latency: Latency
    }
}
