import Foundation
import ParleyMedia
import Testing

/// A real video call between two daemons through a narrow uplink: `tc tbf` on the caller's
/// egress in a network namespace (this kernel has no netem; a token bucket is what a DSL or
/// tethered uplink looks like).
@Suite("A call through a narrow uplink", .serialized, .timeLimit(.minutes(3)))
struct BottleneckCallTests {
    /// The sent bit rates (audio + video) alice's `call status` reports, and the token bucket's
    /// counts, once a second.
    struct Sample {
        var second: Int
        var video: Int
        var audio: Int
        var sent: Int
        var dropped: Int
        var total: Int { video + audio }
    }

    static func bitrate(_ status: [String: Any]?, _ stream: String) -> Int {
        ((status?["statistics"] as? [String: Any])?[stream] as? [String: Any])?["bitrate"] as? Int ?? 0
    }

    @Test("1.5 Mb/s video call into a 500 kb/s uplink (tbf): under it within 5 s with < 2 % loss, speech still arrives; lifted, the rate climbs back within 10 s")
    func videoCallSettlesUnderANarrowUplink() throws {
        guard TwoHostLab.available, FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg") else {
            print("skipped: the bottleneck call needs root, iproute2 (tc), iptables and ffmpeg (make deps installs them)")
            return
        }
        let lab = try TwoHostLab()
        defer { lab.remove() }
        let folder = try MediaFixtures.folder("bottleneck-call")
        let speech = try MediaFixtures.writeSpeech(to: "\(folder)/alice.wav", seconds: 60)
        // A picture that costs more than 1.5 Mb/s: the moving test card with fresh grain on
        // every frame (two seconds, looped).
        try NATLab.run("/usr/bin/ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30",
                       "-vf", "noise=alls=24:allf=t", "-t", "2", "-pix_fmt", "yuv420p", "\(folder)/grain.y4m")
        let (alice, bob) = try lab.linkedDaemons(
            aliceConfig: "video_bitrate = 1500\naudio_input = wav:\(folder)/alice.wav\naudio_output = none\nvideo_input = y4m:\(folder)/grain.y4m\n",
            bobConfig: "audio_input = none\naudio_output = wav:\(folder)/bob-heard.wav\nvideo_input = none\n")
        defer { alice.cleanup(); bob.cleanup() }
        try bob.parley("contacts", "calls", "alice", "--auto-answer", "video").requireSuccess()
        try alice.parley("call", "start", "bob", "--video").requireSuccess()
        try alice.waitForCall("active")
        let answered = Date()

        var samples: [Sample] = []
        func sample(for seconds: Int, from first: Int) throws {
            for second in first ..< first + seconds {
                let due = answered.addingTimeInterval(Double(second + 1))
                if due > Date() { Thread.sleep(until: due) }
                let status = try alice.callStatus()
                let heardStatus = try bob.callStatus()
                let audioIn = (heardStatus?["statistics"] as? [String: Any])?["audio_received"] as? [String: Any]
                let counts = try lab.limiterCounts()
                samples.append(Sample(second: second + 1, video: Self.bitrate(status, "video_sent"), audio: Self.bitrate(status, "audio_sent"),
                                      sent: counts.sent, dropped: counts.dropped))
                let last = samples[samples.count - 1]
                let video = (status?["statistics"] as? [String: Any])?["video_sent"] as? [String: Any]
                print("t=\(last.second) s: video \(video?["width"] ?? "-")x\(video?["height"] ?? "-") \(last.video / 1000) kb/s (target \((video?["target_bitrate"] as? Int ?? 0) / 1000), "
                      + "rtx \(video?["retransmitted"] ?? "-"), REMB \((video?["receiver_estimate"] as? Int ?? 0) / 1000), loss \(video?["loss_fraction"] ?? "-")) + audio \(last.audio / 1000) kb/s; "
                      + "tbf sent \(last.sent) dropped \(last.dropped) packets; bob's audio buffer \(audioIn?["jitter_buffer_ms"] ?? "-") ms, concealed \(audioIn?["frames_concealed"] ?? "-"), inserted \(audioIn?["frames_inserted"] ?? "-")")
            }
        }
        // 6 s unlimited, 15 s under 500 kb/s from 6 s on, then 100 Mb/s for 12 s.
        try sample(for: 6, from: 0)
        let before = samples.suffix(3).map(\.total).max() ?? 0
        try lab.limitA(kilobits: 500)
        let limited = Date().timeIntervalSince(answered)
        try sample(for: 15, from: 6)
        try lab.limitA(kilobits: 100_000)   // lifted: the bucket's queue drains (deleting the bucket would drop it)
        try sample(for: 12, from: 21)
        let bobStatus = try bob.callStatus()
        try alice.parley("call", "hangup").requireSuccess()
        try bob.waitForCall("ended", timeout: 5)

        #expect(before > 1_000_000, "the clip needs more than the bottleneck before it: \(before) b/s")
        // From 5 s after the limit to its end: under it on average, no second more than a fifth
        // above it (the estimate probes now and then; the queue absorbs it), and < 2 % of the
        // packets dropped.
        let settled = samples.filter { (12 ... 21).contains($0.second) }
        let average = settled.reduce(0) { $0 + $1.total } / max(1, settled.count)
        #expect(average < 500_000 && settled.allSatisfy { $0.total < 600_000 }, "under 500 kb/s within 5 s: \(settled.map { $0.total / 1000 })")
        if let first = samples.first(where: { $0.second == 11 }), let last = samples.first(where: { $0.second == 21 }) {
            let sent = last.sent - first.sent, dropped = last.dropped - first.dropped
            #expect(Double(dropped) < 0.02 * Double(sent + dropped), "loss under 2 % once settled: \(dropped) of \(sent + dropped)")
        }
        let climbed = samples.filter { (22 ... 31).contains($0.second) }.map(\.total).max() ?? 0
        // Known to miss by about a second in 2 runs of 13 (2026-12-07): when the lift comes just
        // after a probe overused the bucket, the estimate first recovers to the rate it last
        // overused and probes past it again (docs/MEDIA.md).
        withKnownIssue("the climb back can take 11 s when the lift follows a probe's overuse", isIntermittent: true) {
            #expect(Double(climbed) >= 0.8 * Double(before), "back up within 10 s of the lift: \(climbed) vs \(before) b/s")
        }
        #expect(((bobStatus?["statistics"] as? [String: Any])?["video_received"] as? [String: Any])?["decoder_errors"] as? Int ?? 0 == 0)
        // Speech sent while the uplink was narrow (from 5 s after the limit, 4 s) arrives: the
        // recording starts at the answer, at most a second off. The playout delay moves (a
        // queue grows it; the receiver sheds it again in the pauses between words, up to a
        // few hundred ms at once), so each 250 ms of speech is found within ±250 ms.
        let heard = try WAVFile.read(path: "\(folder)/bob-heard.wav").samples
        let from = Int((limited + 5) * 48000)
        let arrived = MediaAnalysis.speechArrived(Array(speech[from ..< from + 4 * 48000]), Array(heard.dropFirst(from - 48000)),
                                                  "speech through the 500 kb/s uplink", maxLag: 2 * 48000, relock: 12000)
        #expect(arrived, "speech through the narrow uplink (per-chunk correlations printed above)")
    }
}
