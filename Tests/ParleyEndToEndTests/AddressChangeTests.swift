import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Calls survive an address change", .serialized, .timeLimit(.minutes(2)))
struct AddressChangeTests {
    /// Alice (in `a`) calls Bob (in `b`, auto-answering) with speech; `change` runs once audio
    /// flows over a host pair; returns how long Bob's audio stopped, and both statuses once
    /// `settled` holds for Bob's.
    private func call(_ lab: TwoHostLab, label: String, change: () throws -> Void,
                      settled: @escaping ([String: Any]) -> Bool) throws -> (gap: Double, alice: [String: Any], bob: [String: Any]) {
        let folder = try MediaFixtures.folder("roam-\(label)")
        _ = try MediaFixtures.writeSpeech(to: "\(folder)/alice.wav", seconds: 30)
        let (alice, bob) = try lab.linkedDaemons(aliceConfig: "audio_input = wav:\(folder)/alice.wav\naudio_output = none\n",
                                                 bobConfig: "audio_input = none\naudio_output = none\n")
        defer { alice.cleanup(); bob.cleanup() }
        try bob.parley("contacts", "calls", "alice", "--auto-answer", "audio").requireSuccess()
        try alice.parley("call", "start", "bob").requireSuccess()
        var bobStatus: [String: Any] = [:]
        // Five seconds of audio: the link is then older than the window in which two links
        // count as a simultaneous dial (a roaming call is seldom younger).
        try waitUntil(timeout: 20, "\(label): audio reaches bob over a host pair") {
            bobStatus = try bob.callStatus() ?? [:]
            return CallMediaTests.packets(bobStatus, "audio_received") > 250 && bobStatus["media_path"] as? String == "host"
        }
        try change()
        let changed = Date()
        let before = CallMediaTests.packets(try bob.callStatus() ?? [:], "audio_received")
        // Resumed: five packets (100 ms of speech) more than when the path broke.
        try waitUntil(timeout: 15, "\(label): audio reaches bob again") {
            CallMediaTests.packets(try bob.callStatus() ?? [:], "audio_received") >= before + 5
        }
        let gap = Date().timeIntervalSince(changed)
        try waitUntil(timeout: 15, "\(label): the call settles on its new path") {
            bobStatus = try bob.callStatus() ?? [:]
            return settled(bobStatus)
        }
        let aliceStatus = try alice.callStatus() ?? [:]
        print("\(label): audio back at bob \(Int(gap * 1000)) ms after the change; alice \(aliceStatus["media_path"] ?? "?") "
              + "\(aliceStatus["local_address"] ?? "-") ↔ \(aliceStatus["remote_address"] ?? "-"), bob \(bobStatus["media_path"] ?? "?") "
              + "\(bobStatus["local_address"] ?? "-") ↔ \(bobStatus["remote_address"] ?? "-"), ICE restarts \(aliceStatus["ice_restarts"] ?? "?") / \(bobStatus["ice_restarts"] ?? "?")")
        #expect(bobStatus["state"] as? String == "active" && aliceStatus["state"] as? String == "active")
        try alice.parley("call", "hangup").requireSuccess()
        try bob.waitForCall("ended", timeout: 5)
        return (gap, aliceStatus, bobStatus)
    }

    private func lab() throws -> TwoHostLab? {
        guard TwoHostLab.available else {
            print("skipped: the address-change tests need root, iproute2 and iptables (make deps installs them)")
            return nil
        }
        return try TwoHostLab()
    }

    @Test("B's interface gets a new address mid-call: the link comes back, ICE restarts over it, audio resumes within 3 s on a host pair with the new address")
    func aNewAddressMidCall() throws {
        guard let lab = try lab() else { return }
        defer { lab.remove() }
        let (gap, alice, bob) = try call(lab, label: "new address", change: { try lab.moveB() }) { status in
            status["media_path"] as? String == "host" && (status["local_address"] as? String)?.hasPrefix(TwoHostLab.movedB) == true
        }
        #expect(gap <= 3, "audio back within 3 s: \(gap) s")
        #expect((alice["remote_address"] as? String)?.hasPrefix(TwoHostLab.movedB) == true, "alice sends to bob's new address: \(alice)")
        #expect((bob["ice_restarts"] as? Int ?? 0) >= 1 && (alice["ice_restarts"] as? Int ?? 0) >= 1)
    }

    @Test("UDP between the hosts dropped mid-call with the link up: media stops, ICE restarts after 2 s, and audio resumes within 3 s through the link")
    func mediaStopsWithTheLinkUp() throws {
        guard let lab = try lab() else { return }
        defer { lab.remove() }
        let (gap, _, bob) = try call(lab, label: "UDP dropped", change: {
            try lab.iptables(lab.hostB, "-A", "INPUT", "-p", "udp", "-j", "DROP")
        }) { $0["media_path"] as? String == "link" }
        #expect(gap <= 3, "audio back within 3 s: \(gap) s")
        #expect((bob["ice_restarts"] as? Int ?? 0) >= 1)
    }
}
