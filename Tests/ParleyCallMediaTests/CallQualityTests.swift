import Foundation
import ParleyMedia
import ParleyStream
import Testing

/// Calls on a bad network: two real `CallMediaSession`s (their threads, Opus, VP8, SRTP)
/// joined by an `ImpairedLink`, in real time. One test at a time (two cores).
@Suite("Call quality", .serialized)
struct CallQualityTests {
    /// 10 % random loss each way and 20–40 ms of jitter for a 60 s two-way video call: each
    /// side shows ≥ 95 % of the other's frames with no decoder error (NACK and
    /// retransmission), and audio's longest gap stays within 60 ms (Opus FEC and PLC; a
    /// longer run of lost audio packets than three allows one frame more per packet).
    @Test(.timeLimit(.minutes(2)))
    func videoCallSurvivesTenPercentLossEachWay() async throws {
        let folder = try CallFixtures.folder("loss")
        _ = try CallFixtures.writeSpeech(to: "\(folder)/a.wav", seconds: 8, pitch: 160, syllablesPerSecond: 4)
        _ = try CallFixtures.writeSpeech(to: "\(folder)/b.wav", seconds: 8, pitch: 110, syllablesPerSecond: 3)
        let (planA, planB) = CallFixtures.plans()
        let link = ImpairedLink(lossRate: 0.10, delayMilliseconds: 20 ... 40, seed: 20261201)
        let (endA, endB) = link.ends
        let picturesA = CountingVideoSink(), picturesB = CountingVideoSink()
        let seconds = Double(ProcessInfo.processInfo.environment["PARLEY_LOSS_CALL_SECONDS"] ?? "") ?? 60
        let a = try CallMediaSession(
            plan: planA, audioSource: try WAVFileSource(path: "\(folder)/a.wav", loops: true), audioSink: nil,
            videoSource: TestPatternSource(width: 320, height: 240, frameRate: 30), videoSink: picturesA,
            transport: endA, voiceProcessing: false, onDeviceError: { _ in })
        let b = try CallMediaSession(
            plan: planB, audioSource: try WAVFileSource(path: "\(folder)/b.wav", loops: true), audioSink: nil,
            videoSource: TestPatternSource(width: 320, height: 240, frameRate: 30), videoSink: picturesB,
            transport: endB, voiceProcessing: false, onDeviceError: { _ in })
        link.connect(a, b)
        b.start()
        a.start()
        try await Task.sleep(for: .seconds(seconds))
        let statisticsA = a.statistics(), statisticsB = b.statistics()
        a.stop()
        b.stop()
        link.stop()
        let totals = link.totals
        for (name, statistics, other, direction) in [("A", statisticsA, statisticsB, totals[1]), ("B", statisticsB, statisticsA, totals[0])] {
            let video = try #require(statistics.received[.video]), audio = try #require(statistics.received[.audio])
            let sentVideo = try #require(other.sent[.video])
            let shown = Double(video.framesDecoded) / Double(max(1, sentVideo.framesSent))
            print("\(name) received over \(Int(seconds)) s: \(direction.dropped) of \(direction.dropped + direction.forwarded) datagrams dropped; video \(video.framesDecoded) of \(sentVideo.framesSent) frames shown (\(String(format: "%.1f", shown * 100)) %), decoder errors \(video.decoderErrors), requested \(video.packetsRequested ?? -1), recovered \(video.packetsRecovered ?? -1), abandoned \(video.packetsAbandoned ?? -1), retransmitted \(sentVideo.packetsRetransmitted ?? -1), PLI \(video.keyframeRequestsSent ?? -1), wait \(Int(video.retransmissionWaitMilliseconds ?? -1)) ms; audio longest gap \(audio.longestGapMilliseconds ?? -1) ms (longest lost run \(direction.longestAudioRun)), concealed \(audio.framesConcealed ?? -1), recovered by FEC \(audio.framesRecovered ?? -1)")
            #expect(video.decoderErrors == 0)
            #expect(shown >= 0.95)
            #expect((video.packetsRecovered ?? 0) > 0)
            #expect(audio.decoderErrors == 0)
            #expect((audio.longestGapMilliseconds ?? .max) <= max(60, (direction.longestAudioRun - 1) * 20))
        }
    }
}
