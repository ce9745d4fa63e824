import Foundation
import ParleyMedia
import ParleyStream
import Testing

/// A long two-way video call at 5 % loss: nothing grows. Two real `CallMediaSession`s
/// (threads, Opus, VP8, SRTP, NACK) over an `ImpairedLink`, in real time, sampled every
/// second. `make test` runs it for 2 minutes; `make soak` for the 10 minutes of the issue
/// (`PARLEY_SOAK_SECONDS`).
@Suite("Call soak", .serialized)
struct CallSoakTests {
    struct Sample {
        var second: Int
        var residentMegabytes: Double
        var audioBufferMilliseconds: [Double]
        var videoWaitMilliseconds: [Double]
    }

    @Test(.timeLimit(.minutes(15)))
    func longVideoCallAtFivePercentLossGrowsNothing() async throws {
        let seconds = Int(ProcessInfo.processInfo.environment["PARLEY_SOAK_SECONDS"] ?? "") ?? 120
        let folder = try CallFixtures.folder("soak")
        let link = ImpairedLink(lossRate: 0.05, delayMilliseconds: 20 ... 40, seed: 20261206)
        let (a, b) = try CallFixtures.talkingPair(folder: folder, link: link, width: 320, height: 240)
        b.start()
        a.start()
        var samples: [Sample] = []
        // Every second: the audio buffer moves in whole frames (0, 20, 40 ms), so a mean of
        // a few snapshots is a coin toss of a frame; twenty and forty of them are not.
        for second in 1 ... seconds {
            try await Task.sleep(for: .seconds(1))
            let both = [a.statistics(), b.statistics()]
            let sample = Sample(
                second: second, residentMegabytes: Self.residentMegabytes(),
                audioBufferMilliseconds: both.map { $0.received[.audio]?.jitterBufferDelayMilliseconds ?? -1 },
                videoWaitMilliseconds: both.map { $0.received[.video]?.retransmissionWaitMilliseconds ?? -1 })
            if second % 10 == 0 { print(String(format: "soak %4d s: RSS %.1f MB; audio buffer A %.0f B %.0f ms; video wait A %.0f B %.0f ms",
                         sample.second, sample.residentMegabytes, sample.audioBufferMilliseconds[0],
                         sample.audioBufferMilliseconds[1], sample.videoWaitMilliseconds[0], sample.videoWaitMilliseconds[1])) }
            samples.append(sample)
        }
        let statistics = [a.statistics(), b.statistics()]
        a.stop()
        b.stop()
        link.stop()

        for (name, received) in zip(["A", "B"], statistics.map(\.received)) {
            let video = try #require(received[.video]), audio = try #require(received[.audio])
            print("soak \(name) after \(seconds) s: video \(video.framesDecoded) frames decoded, decoder errors \(video.decoderErrors), recovered \(video.packetsRecovered ?? -1), abandoned \(video.packetsAbandoned ?? -1); audio decoder errors \(audio.decoderErrors), concealed \(audio.framesConcealed ?? -1), recovered by FEC \(audio.framesRecovered ?? -1)")
            #expect(video.decoderErrors == 0)
            #expect(audio.decoderErrors == 0)
            #expect(video.framesDecoded >= Int64(seconds) * 30 * 9 / 10)
        }
        // After the first 30 s (buffers, caches and the allocator settle), memory stays within
        // ±10 % of its level then, and neither buffer's delay grows: the last third's mean is
        // within 20 ms of the second sixth's.
        let settled = samples.filter { $0.second > 30 }
        let first = try #require(settled.first)
        let baseline = first.residentMegabytes
        for sample in settled {
            #expect(abs(sample.residentMegabytes - baseline) <= baseline * 0.10,
                    "RSS \(sample.residentMegabytes) MB at \(sample.second) s against \(baseline) MB at \(first.second) s")
        }
        let early = samples.filter { $0.second > seconds / 6 && $0.second <= seconds / 3 }
        let late = samples.filter { $0.second > seconds * 2 / 3 }
        for side in 0..<2 {
            for (what, value) in [("audio buffer", \Sample.audioBufferMilliseconds), ("video wait", \Sample.videoWaitMilliseconds)] {
                let before = Self.mean(early.map { $0[keyPath: value][side] }), after = Self.mean(late.map { $0[keyPath: value][side] })
                #expect(after <= before + 20, "\(what) of \(side == 0 ? "A" : "B") grew from \(before) to \(after) ms")
            }
        }
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// This process's resident set (VmRSS), in MB.
    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }
}
