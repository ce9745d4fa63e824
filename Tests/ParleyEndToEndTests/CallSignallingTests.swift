import Foundation
import Testing

/// Calls that never carry media: declined, cancelled, unanswered, busy, glare, offline.
/// Real daemons on loopback, driven from the CLI.
@Suite("Calls: ringing and refusals", .serialized, .timeLimit(.minutes(2)))
struct CallSignallingTests {
    @Test("Declined: the caller hears 'declined'; both logs hold one unanswered call")
    func declined() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let started = try alice.parley("call", "start", "bob").requireSuccess()
        let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(UUID(uuidString: id) != nil, "call start prints the call ID: \(started.stdout)")
        try bob.waitForCall("ringing-in")
        try alice.waitForCall("ringing-out")
        try bob.parley("call", "reject").requireSuccess()
        try alice.waitForCall("ended")
        let status = try #require(try alice.callStatus())
        #expect(status["reason"] as? String == "declined")
        #expect(status["by"] as? String == "peer")
        #expect(try bob.callStatus()?["reason"] as? String == "declined")
        let aliceLog = try alice.callLog(), bobLog = try bob.callLog()
        #expect(aliceLog.count == 1 && bobLog.count == 1)
        #expect(aliceLog.first?["outcome"] as? String == "rejected")
        #expect(aliceLog.first?["direction"] as? String == "out")
        #expect(bobLog.first?["outcome"] as? String == "rejected")
        #expect(bobLog.first?["id"] as? String == id)
    }

    @Test("Cancelled while it rings: missed at the callee")
    func cancelled() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        try alice.parley("call", "start", "bob", "--video").requireSuccess()
        try bob.waitForCall("ringing-in")
        #expect(try bob.callStatus()?["video"] as? Bool == true)
        try alice.parley("call", "hangup").requireSuccess()
        try bob.waitForCall("ended")
        #expect(try bob.callStatus()?["reason"] as? String == "cancelled")
        #expect(try alice.callStatus()?["reason"] as? String == "cancelled")
        let missed = try #require(try bob.callLog("alice").first)
        #expect(missed["missed"] as? Bool == true)
        #expect(missed["summary"] as? String == "missed video call")
        #expect(try alice.callLog().first?["outcome"] as? String == "cancelled")
    }

    @Test("Nobody answers: the ring time-out ends it on both sides; missed at the callee")
    func ringTimeout() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let begun = Date()
        try alice.parley("call", "start", "bob", "--timeout", "2").requireSuccess()
        try bob.waitForCall("ringing-in")
        let ringing = try #require(try bob.callStatus())
        #expect((ringing["ring_remaining"] as? Double ?? 99) <= 4)
        try alice.waitForCall("ended", timeout: 10)
        #expect(Date().timeIntervalSince(begun) >= 1.9)
        #expect(try alice.callStatus()?["reason"] as? String == "no-answer")
        try bob.waitForCall("ended", timeout: 10)
        #expect(try bob.callLog().first?["missed"] as? Bool == true)
        #expect(try alice.callLog().first?["reason"] as? String == "no-answer")
    }

    @Test("parley config set while the node runs: a bad value is refused and changes nothing; ring_timeout applies to the next call")
    func configSetAppliesToTheNextCall() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let refused = try alice.parley("config", "set", "ring_timeout", "9999")
        #expect(refused.status == 1 && refused.stderr.contains("1 to 600"), "\(refused.stderr)")
        #expect(try alice.parley("config", "get", "ring_timeout").status == 1, "still not set")
        #expect(try alice.parley("config", "set", "no_such_key", "1").status == 1)
        try alice.parley("config", "set", "ring_timeout", "2").requireSuccess()
        #expect(try alice.parley("config", "get", "ring_timeout").stdout == "2\n")
        let begun = Date()
        try alice.parley("call", "start", "bob").requireSuccess()  // no --timeout: the new setting, no restart
        try alice.waitForCall("ended", timeout: 10)
        #expect(Date().timeIntervalSince(begun) < 8)
        #expect(try alice.callStatus()?["reason"] as? String == "no-answer")
        try alice.parley("config", "unset", "ring_timeout").requireSuccess()
        #expect(!(try alice.parley("config", "list").stdout.contains("ring_timeout")))
    }

    @Test("Busy: B rings with C's call; A's call is answered busy and logged missed at B")
    func busy() throws {
        let (alice, bob) = try startLinkedPair()
        let carol = try DaemonProcess(name: "carol")
        defer { alice.cleanup(); bob.cleanup(); carol.cleanup() }
        try carol.start()
        try befriend(bob, as: "bob", carol, as: "carol")
        try carol.parley("call", "start", "bob").requireSuccess()
        try bob.waitForCall("ringing-in")
        try alice.parley("call", "start", "bob").requireSuccess()
        try alice.waitForCall("ended")
        #expect(try alice.callStatus()?["reason"] as? String == "busy")
        // Bob's call with Carol goes on ringing.
        #expect(try bob.callStatus()?["name"] as? String == "carol")
        #expect(try bob.callState() == "ringing-in")
        let log = try bob.callLog("alice")
        #expect(log.count == 1 && log.first?["missed"] as? Bool == true && log.first?["reason"] as? String == "busy")
        try carol.parley("call", "hangup").requireSuccess()
    }

    @Test("Calling a contact who is offline fails at once with a clear message")
    func offline() throws {
        let alice = try DaemonProcess(name: "alice")
        let dave = try DaemonProcess(name: "dave")
        defer { alice.cleanup(); dave.cleanup() }
        try alice.start()
        try alice.parley("contacts", "add", try dave.contactID(), "--name", "dave", "--address", dave.address).requireSuccess()
        let begun = Date()
        let result = try alice.parley("call", "start", "dave")
        #expect(result.status == 1)
        #expect(result.stderr.contains("dave is offline"))
        #expect(Date().timeIntervalSince(begun) < 5)
        #expect(try alice.callLog().isEmpty)
        let unknown = try alice.parley("call", "start", "nobody")
        #expect(unknown.status == 1)
        let badDevice = try alice.parley("call", "start", "dave", "--audio-in", "microphone")
        #expect(badDevice.status == 2, "a device spec that is not SRC syntax is a usage error: \(badDevice.stderr)")
    }

    @Test("Glare: both call each other at once and exactly one call results")
    func glare() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let group = DispatchGroup()
        for node in [alice, bob] {
            group.enter()
            DispatchQueue.global().async {
                _ = try? node.parley("call", "start", node === alice ? "bob" : "alice")
                group.leave()
            }
        }
        group.wait()
        try waitUntil(timeout: 15, "one call on both sides") {
            guard let a = try alice.callStatus(), let b = try bob.callStatus() else { return false }
            return a["id"] as? String == b["id"] as? String
        }
        let a = try #require(try alice.callStatus()), b = try #require(try bob.callStatus())
        #expect(a["direction"] as? String != b["direction"] as? String)
        try waitUntil(timeout: 10, "logs settle") { try alice.callLog().count == 1 && bob.callLog().count == 1 }
        #expect(try alice.callLog().first?["id"] as? String == a["id"] as? String)
        _ = try? alice.parley("call", "hangup")
    }
}
