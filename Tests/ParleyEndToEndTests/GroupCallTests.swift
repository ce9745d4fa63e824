import Foundation
import ParleyMedia
import Testing

/// Group calls between real daemons on loopback: every participant sends its own tone and
/// a test pattern, every pair of participants is connected directly, and each records the
/// mix of what it hears. Serialized: the calls run in real time.
@Suite("Group calls", .serialized, .timeLimit(.minutes(4)))
struct GroupCallTests {
    /// Each participant's tone (Hz), by name.
    static let tones: [String: Double] = ["alice": 440, "bob": 550, "carol": 660, "dave": 770, "erin": 880]
    /// Each participant's Y4M clip has a picture size of its own (all too small for the
    /// resolution steering to halve), so a received picture file says whose video it holds.
    static let pictureSizes: [String: (width: Int, height: Int)] = [
        "alice": (160, 120), "bob": (176, 144), "carol": (192, 128), "dave": (208, 144), "erin": (224, 160),
    ]

    /// Daemons that are all contacts of each other, each with its tone as a looping microphone.
    struct Group {
        let nodes: [String: DaemonProcess]
        let folder: String

        /// `contacts`: the pairs that are contacts (default: every pair); `wrapper` runs the daemons (a network namespace).
        init(_ names: [String], contacts: [(String, String)]? = nil, wrapper: [String] = []) throws {
            folder = try MediaFixtures.folder("group")
            var nodes: [String: DaemonProcess] = [:]
            do {
                for name in names {
                    let node = try DaemonProcess(name: name, wrapper: wrapper)
                    nodes[name] = node
                    try node.start()
                    let tone = (0 ..< 48000).map { Int16(8000 * sin(2 * Double.pi * GroupCallTests.tones[name]! * Double($0) / 48000)) }
                    try WAVFile.write(PCMAudio(sampleRate: 48000, channels: 1, samples: tone), to: "\(folder)/\(name).wav")
                    let size = GroupCallTests.pictureSizes[name]!
                    try MediaFixtures.writePatternClip(to: "\(folder)/\(name).y4m", width: size.width, height: size.height, frames: 60)
                }
                let pairs = contacts ?? names.enumerated().flatMap { index, first in names[(index + 1)...].map { (first, $0) } }
                for (first, second) in pairs {
                    try befriend(nodes[first]!, as: first, nodes[second]!, as: second)
                }
            } catch {
                nodes.values.forEach { $0.cleanup() }
                throw error
            }
            self.nodes = nodes
        }

        subscript(_ name: String) -> DaemonProcess { nodes[name]! }

        func devices(_ name: String) -> [String] {
            ["--audio-in", "wav-loop:\(folder)/\(name).wav", "--audio-out", "wav:\(folder)/\(name)-heard.wav",
             "--video-in", "y4m:\(folder)/\(name).y4m", "--video-out", "y4m:\(folder)/\(name)-seen.y4m"]
        }

        func cleanup() { nodes.values.forEach { $0.cleanup() } }

        /// Runs `body`; on an error, prints the call lines of every daemon's log first.
        func printingLogsOnFailure(_ body: () throws -> Void) throws {
            do {
                try body()
            } catch {
                for (name, node) in nodes.sorted(by: { $0.key < $1.key }) {
                    print("— \(name)'s log:\n\(node.logText.split(separator: "\n").filter { $0.contains("call") }.suffix(40).joined(separator: "\n"))")
                }
                throw error
            }
        }
    }

    /// The legs of a status by peer name.
    static func participants(_ status: [String: Any]?) -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for participant in status?["participants"] as? [[String: Any]] ?? [] {
            if let name = participant["name"] as? String { result[name] = participant }
        }
        return result
    }

    static func received(_ participant: [String: Any]?, _ stream: String) -> Int {
        ((participant?["statistics"] as? [String: Any])?[stream] as? [String: Any])?["packets"] as? Int ?? 0
    }

    /// Waits until `node`'s call has exactly these peers active.
    static func waitForPeers(_ node: DaemonProcess, _ names: Set<String>, timeout: TimeInterval = 20) throws {
        try waitUntil(timeout: timeout, "\(node.home.url.lastPathComponent): active with \(names.sorted())") {
            let legs = participants(try node.callStatus())
            return Set(legs.filter { $0.value["state"] as? String == "active" }.keys) == names
        }
    }

    /// How much of a tone a recording holds: the share of 100 ms windows in which the tone
    /// stands clearly (Goertzel power) above the quietest of the others asked about.
    static func toneShare(_ samples: [Int16], _ frequency: Double, from start: Int = 0) -> Double {
        let window = 4800
        var present = 0, windows = 0
        var offset = start
        while offset + window <= samples.count {
            let slice = samples[offset ..< offset + window]
            let energy = slice.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(window)
            if energy > 1000 {
                windows += 1
                let power = goertzel(slice, frequency) / Double(window)
                // A tone at amplitude A holds about A²/2 of a window's energy.
                if power / energy > 0.05 { present += 1 }
            }
            offset += window
        }
        return windows == 0 ? 0 : Double(present) / Double(windows)
    }

    /// The power of one frequency in a block (Goertzel), normalized to mean square × length.
    static func goertzel(_ block: ArraySlice<Int16>, _ frequency: Double) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / 48000)
        var previous = 0.0, beforePrevious = 0.0
        for sample in block {
            let value = Double(sample) + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = value
        }
        let power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
        return 2 * power / Double(block.count)
    }

    @Test("Four in one call: each hears and sees the three others and not itself; one leaves and three go on; a fifth joins and hears everyone")
    func fourThenThreeThenFour() throws {
        let group = try Group(["alice", "bob", "carol", "dave", "erin"])
        defer { group.cleanup() }
        do {
            try fourThenThreeThenFour(group)
        } catch {
            for (name, node) in group.nodes.sorted(by: { $0.key < $1.key }) {
                print("— \(name)'s log:\n\(node.logText.split(separator: "\n").filter { $0.contains("call") }.suffix(40).joined(separator: "\n"))")
            }
            throw error
        }
    }

    private func fourThenThreeThenFour(_ group: Group) throws {
        let (alice, bob, carol, dave, erin) = (group["alice"], group["bob"], group["carol"], group["dave"], group["erin"])
        let started = try alice.parley(contentsOf: ["call", "start", "bob", "carol", "dave", "--video", "--json"] + group.devices("alice"))
            .requireSuccess()
        let startedLegs = Self.participants(started.json as? [String: Any])
        #expect(Set(startedLegs.keys) == ["bob", "carol", "dave"], "one leg per contact called")
        for name in ["bob", "carol", "dave"] {
            try group[name].waitForCall("ringing-in")
            try group[name].parley(contentsOf: ["call", "accept"] + group.devices(name)).requireSuccess()
        }
        try Self.waitForPeers(alice, ["bob", "carol", "dave"])
        try Self.waitForPeers(bob, ["alice", "carol", "dave"])
        try Self.waitForPeers(carol, ["alice", "bob", "dave"])
        try Self.waitForPeers(dave, ["alice", "bob", "carol"])
        Thread.sleep(forTimeInterval: 6)
        for name in ["alice", "bob", "carol", "dave"] {
            let legs = Self.participants(try group[name].callStatus())
            for (peer, leg) in legs {
                #expect(Self.received(leg, "audio_received") > 150, "\(name) hears \(peer)")
                #expect(Self.received(leg, "video_received") > 50, "\(name) sees \(peer)")
                // The video uplink (800 kb/s by default) is split between the three peers.
                let target = ((leg["statistics"] as? [String: Any])?["video_sent"] as? [String: Any])?["target_bitrate"] as? Int ?? 0
                #expect(target > 0 && target <= 800_000 / 3, "\(name) → \(peer): target \(target)")
            }
        }
        let text = try alice.parley("call", "status").requireSuccess().stdout
        #expect(text.contains("participants:"), "\(text)")

        // Dave leaves: the three others go on among themselves.
        try dave.parley("call", "hangup").requireSuccess()
        try dave.waitForCall("ended", timeout: 5)
        try Self.waitForPeers(alice, ["bob", "carol"], timeout: 5)
        try Self.waitForPeers(bob, ["alice", "carol"], timeout: 5)
        let before = Self.received(Self.participants(try bob.callStatus())["carol"], "audio_received")
        Thread.sleep(forTimeInterval: 2)
        #expect(try alice.callState() == "active")
        #expect(Self.received(Self.participants(try bob.callStatus())["carol"], "audio_received") > before + 50, "bob still hears carol")

        // Erin is invited mid-call and connects to everyone.
        try alice.parley("call", "invite", "erin").requireSuccess()
        try erin.waitForCall("ringing-in")
        try erin.parley(contentsOf: ["call", "accept"] + group.devices("erin")).requireSuccess()
        try Self.waitForPeers(erin, ["alice", "bob", "carol"])
        try Self.waitForPeers(carol, ["alice", "bob", "erin"])
        Thread.sleep(forTimeInterval: 4)
        // The call ends for Erin when the last of the others hang up.
        for name in ["alice", "bob", "carol"] { try group[name].parley("call", "hangup").requireSuccess() }
        for name in ["alice", "bob", "carol", "erin"] { try group[name].waitForCall("ended", timeout: 5) }

        let heard = try ["alice", "dave", "erin"].reduce(into: [String: [Int16]]()) { heard, name in
            try waitUntil(timeout: 5, "\(name)'s recording") { FileManager.default.fileExists(atPath: "\(group.folder)/\(name)-heard.wav") }
            heard[name] = try WAVFile.read(path: "\(group.folder)/\(name)-heard.wav").samples
        }
        for (name, others) in [("alice", ["bob", "carol", "dave", "erin"]), ("dave", ["alice", "bob", "carol"]), ("erin", ["alice", "bob", "carol"])] {
            let samples = heard[name]!
            let own = Self.toneShare(samples, Self.tones[name]!)
            let shares = others.map { ($0, Self.toneShare(samples, Self.tones[$0]!)) }
            print("\(name) heard: own \(own), \(shares)")
            #expect(own < 0.02, "\(name) does not hear itself")
            for (other, share) in shares {
                #expect(share > (other == "dave" || other == "erin" ? 0.15 : 0.5), "\(name) hears \(other)")
            }
        }
        // Each leg after the first writes its own picture file, and each file holds the
        // picture of the right participant (its clip's size): every participant saw every
        // other's own clip.
        for (name, peers) in [("alice", ["bob", "carol", "dave", "erin"]), ("bob", ["alice", "carol", "dave", "erin"]),
                              ("carol", ["alice", "bob", "dave", "erin"]), ("dave", ["alice", "bob", "carol"]),
                              ("erin", ["alice", "bob", "carol"])] {
            var seen: [String: String] = [:]
            for file in try FileManager.default.contentsOfDirectory(atPath: group.folder)
            where file.hasPrefix("\(name)-seen") && file.hasSuffix(".y4m") {
                let header = try Y4MReader(path: "\(group.folder)/\(file)").header
                seen[file] = "\(header.width)x\(header.height)"
            }
            let expected = peers.map { "\(Self.pictureSizes[$0]!.width)x\(Self.pictureSizes[$0]!.height)" }
            #expect(Set(seen.values) == Set(expected), "\(name) saw \(seen), expected the clips of \(peers)")
            for peer in peers where seen["\(name)-seen-\(peer).y4m"] != nil {
                #expect(seen["\(name)-seen-\(peer).y4m"] == expected[peers.firstIndex(of: peer)!], "\(name)'s file of \(peer)")
            }
        }
        #expect(FileManager.default.fileExists(atPath: "\(group.folder)/alice-seen-carol.y4m"), "alice's file of carol")
        // One log entry per peer.
        let log = try alice.callLog()
        #expect(Set(log.compactMap { $0["name"] as? String }) == ["bob", "carol", "dave", "erin"], "\(log)")
    }

    @Test("C is a contact of A only: A invites C into its call with B; B and C hear each other through A's vouching; B's contacts are unchanged",
          arguments: [false, true])
    func vouchedParticipant(udpBlocked: Bool) throws {
        var namespace: UDPBlockedNamespace?
        if udpBlocked {
            guard UDPBlockedNamespace.available, let made = try? UDPBlockedNamespace() else {
                print("skipped: needs root, ip and iptables (make deps installs them) to drop UDP in a network namespace")
                return
            }
            namespace = made
        }
        defer { namespace?.remove() }
        let group = try Group(["alice", "bob", "carol"], contacts: [("alice", "bob"), ("alice", "carol")], wrapper: namespace?.wrapper ?? [])
        defer { group.cleanup() }
        let (alice, bob, carol) = (group["alice"], group["bob"], group["carol"])
        try alice.parley(contentsOf: ["call", "start", "bob"] + group.devices("alice")).requireSuccess()
        try bob.waitForCall("ringing-in")
        try bob.parley(contentsOf: ["call", "accept"] + group.devices("bob")).requireSuccess()
        try Self.waitForPeers(alice, ["bob"])
        try alice.parley("call", "invite", "carol").requireSuccess()
        try carol.waitForCall("ringing-in")
        try carol.parley(contentsOf: ["call", "accept"] + group.devices("carol")).requireSuccess()
        try Self.waitForPeers(bob, ["alice", "carol"])
        try Self.waitForPeers(carol, ["alice", "bob"])
        let path = udpBlocked ? "forwarded" : "host"
        try waitUntil(timeout: 10, "bob–carol media \(path)") {
            Self.participants(try bob.callStatus())["carol"]?["media_path"] as? String == path
        }
        Thread.sleep(forTimeInterval: 5)
        let bobsCarol = try #require(Self.participants(try bob.callStatus())["carol"])
        let carolsBob = try #require(Self.participants(try carol.callStatus())["bob"])
        print("bob's leg with carol: \(bobsCarol)")
        #expect(bobsCarol["via"] as? String == "alice")
        #expect(carolsBob["via"] as? String == "alice")
        #expect(carolsBob["media_path"] as? String == path)
        #expect(Self.received(bobsCarol, "audio_received") > 150, "bob hears carol")
        #expect(Self.received(carolsBob, "audio_received") > 150, "carol hears bob")
        let contacts = try bob.parley("contacts", "list", "--json").requireSuccess().json as? [[String: Any]] ?? []
        #expect(contacts.compactMap { $0["name"] as? String } == ["alice"], "carol never became bob's contact")
        // Bob leaves first: his hang-up reaches Carol through Alice; then Alice ends the call.
        try bob.parley("call", "hangup").requireSuccess()
        try waitUntil(timeout: 5, "carol's leg with bob ended") {
            Self.participants(try carol.callStatus())["bob"]?["state"] as? String == "ended"
        }
        try alice.parley("call", "hangup").requireSuccess()
        for name in ["alice", "bob", "carol"] { try group[name].waitForCall("ended", timeout: 5) }
        let heard = try WAVFile.read(path: "\(group.folder)/bob-heard.wav").samples
        let carolShare = Self.toneShare(heard, Self.tones["carol"]!)
        print("bob heard carol in \(carolShare) of the windows (udp blocked: \(udpBlocked))")
        #expect(carolShare > 0.3, "carol's tone in bob's recording")
    }

    @Test("Both invitees answer at once (auto-answer): their joining invitations cross, and exactly one leg joins them")
    func invitationsCross() throws {
        let group = try Group(["alice", "bob", "carol"])
        defer { group.cleanup() }
        try group.printingLogsOnFailure { try invitationsCross(group) }
    }

    private func invitationsCross(_ group: Group) throws {
        let (alice, bob, carol) = (group["alice"], group["bob"], group["carol"])
        for (node, name) in [(bob, "bob"), (carol, "carol")] {
            try node.parley("contacts", "calls", "alice", "--auto-answer", "audio").requireSuccess()
            try node.parley(contentsOf: ["config", "set", "audio_input", "wav-loop:\(group.folder)/\(name).wav"]).requireSuccess()
        }
        try alice.parley(contentsOf: ["call", "start", "bob", "carol"] + group.devices("alice")).requireSuccess()
        try Self.waitForPeers(bob, ["alice", "carol"])
        try Self.waitForPeers(carol, ["alice", "bob"])
        try Self.waitForPeers(alice, ["bob", "carol"])
        Thread.sleep(forTimeInterval: 2)
        let bobsLegs = (try bob.callStatus()?["participants"] as? [[String: Any]]) ?? []
        #expect(bobsLegs.filter { $0["name"] as? String == "carol" }.count == 1, "one leg between bob and carol: \(bobsLegs)")
        #expect(Self.received(Self.participants(try bob.callStatus())["carol"], "audio_received") > 50, "bob hears carol")
        try alice.parley("call", "hangup").requireSuccess()
        try bob.parley("call", "hangup").requireSuccess()
        try carol.waitForCall("ended", timeout: 5)
    }
}
