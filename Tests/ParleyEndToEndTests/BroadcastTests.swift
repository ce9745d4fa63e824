import Foundation
import ParleyMedia
import Testing

/// Broadcasts between real daemons on loopback: one broadcaster sends a tone and a test
/// pattern, encoded once; each viewer daemon watches with its own keys and records what it
/// gets. Serialized: the media runs in real time.
@Suite("Broadcasts", .serialized, .timeLimit(.minutes(4)))
struct BroadcastTests {
    static let tone = 440.0

    /// The broadcaster "alice" and viewers that are its contacts (not each other's).
    struct Audience {
        let alice: DaemonProcess
        let viewers: [String: DaemonProcess]
        let folder: String

        init(_ names: [String]) throws {
            folder = try MediaFixtures.folder("broadcast")
            alice = try DaemonProcess(name: "alice")
            var viewers: [String: DaemonProcess] = [:]
            do {
                try alice.start()
                for name in names {
                    let viewer = try DaemonProcess(name: name)
                    viewers[name] = viewer
                    try viewer.start()
                }
                for name in names { try befriend(alice, as: "alice", viewers[name]!, as: name) }
                let tone = (0 ..< 48000).map { Int16(8000 * sin(2 * Double.pi * BroadcastTests.tone * Double($0) / 48000)) }
                try WAVFile.write(PCMAudio(sampleRate: 48000, channels: 1, samples: tone), to: "\(folder)/tone.wav")
            } catch {
                alice.cleanup()
                viewers.values.forEach { $0.cleanup() }
                throw error
            }
            self.viewers = viewers
        }

        subscript(_ name: String) -> DaemonProcess { viewers[name]! }

        func start(_ arguments: [String]) throws -> [String: Any] {
            let result = try alice.parley(contentsOf: ["broadcast", "start"] + arguments
                + ["--audio", "wav-loop:\(folder)/tone.wav", "--video", "pattern:320x240", "--json"]).requireSuccess()
            return try #require(result.json as? [String: Any])
        }

        func watch(_ name: String) throws {
            try self[name].parley(contentsOf: ["broadcast", "watch", "alice", "--audio-out", "wav:\(folder)/\(name)-heard.wav",
                                               "--video-out", "y4m:\(folder)/\(name)-seen.y4m"]).requireSuccess()
        }

        func status() throws -> [String: Any] {
            try #require(try alice.parley("broadcast", "status", "--json").requireSuccess().json as? [String: Any])
        }

        /// Viewers by name in the broadcast's status.
        func viewerStatus() throws -> [String: [String: Any]] {
            var result: [String: [String: Any]] = [:]
            for viewer in try status()["viewers"] as? [[String: Any]] ?? [] {
                if let name = viewer["name"] as? String { result[name] = viewer }
            }
            return result
        }

        func cleanup() {
            alice.cleanup()
            viewers.values.forEach { $0.cleanup() }
        }

        func printingLogsOnFailure(_ body: () throws -> Void) throws {
            do {
                try body()
            } catch {
                for (name, node) in [("alice", alice)] + viewers.sorted(by: { $0.key < $1.key }).prefix(3) {
                    print("— \(name)'s log:\n\(node.logText.split(separator: "\n").filter { $0.contains("call") || $0.contains("broadcast") }.suffix(30).joined(separator: "\n"))")
                }
                throw error
            }
        }
    }

    static func offers(_ node: DaemonProcess) throws -> [[String: Any]] {
        try node.parley("broadcast", "list", "--json").requireSuccess().json as? [[String: Any]] ?? []
    }

    /// Whether a Y4M file being written holds a whole frame (its writes are not buffered).
    static func holdsAFrame(_ path: String, bytesPerFrame: Int) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), let header = data.firstIndex(of: 0x0A) else { return false }
        return data.count >= header + 1 + "FRAME\n".utf8.count + bytesPerFrame
    }

    static func videoReceived(_ node: DaemonProcess) throws -> Int {
        ((try node.callStatus()?["statistics"] as? [String: Any])?["video_received"] as? [String: Any])?["packets"] as? Int ?? 0
    }

    @Test("Only the audience is told and let in; a viewer's status and the broadcaster's list it; stopping ends the viewer's call")
    func audienceOnly() throws {
        let audience = try Audience(["bob", "carol"])
        defer { audience.cleanup() }
        try audience.printingLogsOnFailure {
            let (bob, carol) = (audience["bob"], audience["carol"])
            let started = try audience.start(["--to", "bob"])
            #expect(started["state"] as? String == "live")
            #expect(started["audience"] as? [String] == ["bob"])
            try waitUntil(timeout: 10, "bob is told") { try !Self.offers(bob).isEmpty }
            #expect(try Self.offers(carol).isEmpty, "carol is not in the audience")
            // carol asks all the same (she knows the ID from elsewhere): refused, with a clear message.
            let refused = try carol.parley("broadcast", "watch", "alice")
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("not broadcasting to you"), "\(refused.stderr)")
            // A call to the broadcaster meanwhile is answered busy.
            try audience.watch("bob")
            try bob.waitForCall("active")
            let bobStatus = try #require(try bob.callStatus())
            #expect((bobStatus["local"] as? [String: Any])?["audio_out"] as? Bool == false, "a viewer sends nothing")
            try waitUntil(timeout: 10, "bob gets video") { try Self.videoReceived(bob) > 30 }
            let viewers = try audience.viewerStatus()
            #expect(viewers["bob"]?["state"] as? String == "active")
            let sent = (viewers["bob"]?["statistics"] as? [String: Any])?["video_sent"] as? [String: Any]
            #expect((sent?["packets"] as? Int ?? 0) > 30, "\(viewers)")
            #expect(try audience.status()["watching"] as? Int == 1)
            let call = try carol.parley("call", "start", "alice")
            let carolsCall = try carol.callStatus()
            #expect(call.status != 0 || carolsCall?["reason"] as? String != nil)
            try audience.alice.parley("broadcast", "stop").requireSuccess()
            try bob.waitForCall("ended", timeout: 10)
            #expect(try audience.status()["state"] as? String == "stopped")
            try waitUntil(timeout: 10, "bob's list empties") { try Self.offers(bob).isEmpty }
            let frames = try MediaAnalysis.patternFrames(in: "\(audience.folder)/bob-seen.y4m")
            let readable = frames.filter { $0.number != nil }.count
            print("bob saw \(frames.count) frames, \(readable) readable")
            #expect(readable > 30)
            // A broadcaster whose daemon stops ends its broadcast: the viewer's call ends as hung up.
            _ = try audience.start(["--to", "bob"])
            try waitUntil(timeout: 10, "bob is told again") { try !Self.offers(bob).isEmpty }
            try audience.watch("bob")
            try bob.waitForCall("active")
            #expect(audience.alice.stop() == 0)
            try bob.waitForCall("ended", timeout: 10)
            #expect(try bob.callStatus()?["reason"] as? String == "hung-up")
        }
    }

    @Test("Ten viewers: all decode audio and video; one joining after 5 s shows a picture within 1 s; one leaving changes nothing for the others")
    func tenViewers() throws {
        let names = (1 ... 10).map { "viewer\($0)" }
        let audience = try Audience(names)
        defer { audience.cleanup() }
        try audience.printingLogsOnFailure {
            _ = try audience.start(["--to"] + names)
            for name in names { try waitUntil(timeout: 10, "\(name) is told") { try !Self.offers(audience[name]).isEmpty } }
            let early = Array(names.dropLast())
            for name in early { try audience.watch(name) }
            for name in early { try audience[name].waitForCall("active") }
            Thread.sleep(forTimeInterval: 5)
            // The late viewer: its first picture within a second of asking.
            let late = names.last!
            // Written as PATH.part until the call ends.
            let seenPath = "\(audience.folder)/\(late)-seen.y4m.part"
            let asked = Date()
            try audience.watch(late)
            var firstPicture: TimeInterval?
            while Date().timeIntervalSince(asked) < 5 {
                if Self.holdsAFrame(seenPath, bytesPerFrame: 320 * 240 * 3 / 2) {
                    firstPicture = Date().timeIntervalSince(asked)
                    break
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            print("the late viewer's first picture after \(firstPicture.map { String(format: "%.2f s", $0) } ?? "never")")
            #expect((firstPicture ?? 99) <= 1.0)
            // One leaves; the others go on.
            try audience["viewer1"].parley("call", "hangup").requireSuccess()
            let before = try Dictionary(uniqueKeysWithValues: names.dropFirst().map { ($0, try Self.videoReceived(audience[$0])) })
            Thread.sleep(forTimeInterval: 2)
            for name in names.dropFirst() {
                let now = try Self.videoReceived(audience[name])
                #expect(now - before[name]! > 30, "\(name) still receives after viewer1 left: \(before[name]!) → \(now)")
            }
            let status = try audience.status()
            #expect(status["watching"] as? Int == 9)
            let viewers = try audience.viewerStatus()
            #expect(viewers["viewer1"]?["state"] as? String == "ended")
            try audience.alice.parley("broadcast", "stop").requireSuccess()
            for name in names.dropFirst() { try audience[name].waitForCall("ended", timeout: 10) }
            for name in names {
                let heard = try WAVFile.read(path: "\(audience.folder)/\(name)-heard.wav").samples
                let share = GroupCallTests.toneShare(heard, Self.tone)
                let frames = try MediaAnalysis.patternFrames(in: "\(audience.folder)/\(name)-seen.y4m")
                let readable = frames.filter { $0.number != nil }.count
                print("\(name): tone in \(String(format: "%.2f", share)) of the windows; \(frames.count) frames, \(readable) readable")
                #expect(share > 0.8, "\(name) hears the broadcast")
                #expect(readable > 20, "\(name) sees the broadcast")
            }
        }
    }

    @Test("Janus's streaming plugin receives --rtp: its mountpoint reports audio and video arriving; the SDP describes both",
          .enabled(if: JanusServer.available, "needs Janus (Debian's janus) and curl: apt install janus curl"))
    func janusReceivesTheRTPCopy() throws {
        let audience = try Audience(["bob"])
        defer { audience.cleanup() }
        let port = try MediaFixtures.freeUDPPorts()
        let janusFolder = try MediaFixtures.folder("janus")
        let janus = try JanusServer(folder: janusFolder, rtpPort: port)
        defer { janus.stop() }
        try audience.printingLogsOnFailure {
            // Before the broadcast: no packet since the mountpoint was made (its age counts from then).
            Thread.sleep(forTimeInterval: 1.2)
            let before = try janus.mountpointMedia()
            #expect(before.count == 2 && before.allSatisfy { ($0["age_ms"] as? Int).map { $0 >= 1000 } ?? true }, "nothing arrived yet: \(before)")
            let sdpPath = "\(audience.folder)/janus.sdp"
            let started = try audience.start(["--to", "bob", "--rtp", "127.0.0.1:\(port)", "--sdp", sdpPath])
            #expect(started["rtp"] as? String == "127.0.0.1:\(port)")
            let sdp = try String(contentsOfFile: sdpPath, encoding: .utf8)
            #expect(sdp.contains("m=audio \(port) RTP/AVPF 111") && sdp.contains("m=video \(port + 2) RTP/AVPF 96"), "\(sdp)")
            var media: [[String: Any]] = []
            try waitUntil(timeout: 10, "Janus's mountpoint gets audio and video") {
                media = try janus.mountpointMedia()
                return media.count == 2 && media.allSatisfy { ($0["age_ms"] as? Int).map { $0 < 1000 } ?? false }
            }
            print("Janus mountpoint: " + media.map { "\($0["type"] ?? "?") \($0["codec"] ?? "?") last packet \($0["age_ms"] ?? "-") ms ago" }
                .joined(separator: "; "))
            // The viewers of Parley itself are served as before.
            try audience.watch("bob")
            try waitUntil(timeout: 10, "bob gets video too") { try Self.videoReceived(audience["bob"]) > 30 }
            try audience.alice.parley("broadcast", "stop").requireSuccess()
        }
    }
}
