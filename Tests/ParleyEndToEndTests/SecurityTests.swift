import Foundation
import Testing

/// Only pinned contacts get in; strangers can only ask; blocked peers are refused.
@Suite("Pinning, strangers and blocking", .serialized)
struct SecurityTests {
    @Test func wrongPinnedIDGetsNoLinkAndNothingIsDelivered() throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        let carol = try TemporaryHome()
        defer { alice.cleanup(); bob.cleanup(); carol.cleanup() }
        try alice.start()
        try bob.start()
        // Alice believes Carol's ID lives at Bob's address.
        try alice.parley("contacts", "add", try carol.contactID(), "--name", "carol", "--address", bob.address)
            .requireSuccess()
        try alice.parley("send", "carol", "secret for carol").requireSuccess()
        try waitUntil(timeout: 15, "impersonation reported") { alice.logText.contains("possible impersonation") }
        #expect(try alice.history("carol").last?["state"] as? String == "queued")
        #expect(try !alice.isOnline("carol"))
        #expect(try bob.parley("contacts", "requests", "--json").json as? [Any] != nil)
        #expect(try bob.history("alice").isEmpty || bob.parley("history", "alice").status == 1)
    }

    @Test func strangerCanOnlyAskAndIsLetInOnceAccepted() throws {
        let bob = try DaemonProcess(name: "bob"), carol = try DaemonProcess(name: "carol")
        defer { bob.cleanup(); carol.cleanup() }
        try bob.start()
        try carol.start()
        try carol.parley("contacts", "add", try bob.contactID(), "--name", "bob", "--address", bob.address,
                         "--note", "hi, it's Carol from the meetup").requireSuccess()
        try carol.parley("send", "bob", "are you there?").requireSuccess()

        var requests: [[String: Any]] = []
        try waitUntil(timeout: 15, "request stored") {
            requests = try bob.parley("contacts", "requests", "--json").json as? [[String: Any]] ?? []
            return !requests.isEmpty
        }
        #expect(requests.first?["display_name"] as? String == "carol")
        #expect(requests.first?["note"] as? String == "hi, it's Carol from the meetup")
        #expect(requests.first?["id"] as? String == (try carol.contactID()))
        #expect(try bob.parley("contacts", "list", "--json").json as? [Any] == nil
            || (try bob.parley("contacts", "list", "--json").json as? [Any])?.isEmpty == true)
        #expect(try carol.history("bob").last?["state"] as? String == "queued")

        try bob.parley("contacts", "accept", "carol").requireSuccess()
        try waitUntil(timeout: 20, "queued message delivered after accept") {
            try bob.history("carol").last?["body"] as? String == "are you there?"
        }
    }

    @Test func blockedContactIsRefusedAtTheTLSLayer() throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")
        try bob.parley("contacts", "block", "alice").requireSuccess()
        try waitUntil(timeout: 10, "link closed") { try !alice.isOnline("bob") }
        try alice.parley("send", "bob", "let me in").requireSuccess()
        try waitUntil(timeout: 15, "refusal logged") { bob.logText.contains("refused incoming link") }
        #expect(try bob.history("alice").allSatisfy { $0["body"] as? String != "let me in" })
        #expect(try alice.history("bob").last?["state"] as? String == "queued")
    }

    @Test func malformedInputClosesOnlyThatLink() async throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        let hostile = try HostilePeer()
        defer { alice.cleanup(); bob.cleanup(); hostile.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")

        let hello = rawFrame(type: 0x0001, payload: [0, 1, 0, 1, 0, 0, 0, 1, 0x78, 0, 0, 1, 0, 0])
        let cases: [(String, [UInt8], UInt16)] = [
            ("oversized length prefix", rawFrame(type: 0x0010, length: 0xFFFF_FFF0, payload: []), 2),
            ("garbage before HELLO", rawFrame(type: 0x0010, payload: Array(repeating: 0x41, count: 40)), 2),
            ("malformed HELLO", rawFrame(type: 0x0001, payload: [0, 1]), 2),
            ("oversized frame after HELLO", hello + rawFrame(type: 0x0010, length: 0x7FFF_FFFF, payload: []), 2),
        ]
        for (name, bytes, code) in cases {
            let result = try hostile.exchange(port: bob.port, bytes: bytes, holdOpen: 8)
            #expect(result.seconds < 7, "\(name): the node closed the link")
            #expect(containsClose(result.received, code: code), "\(name): CLOSE(\(code)) sent")
        }
        // A truncated frame, then the peer goes away: nothing breaks.
        _ = try hostile.exchange(port: bob.port, bytes: hello + rawFrame(type: 0x0010, length: 100, payload: [1, 2, 3]),
                                 holdOpen: 0.5)
        // Raw bytes that are not TLS at all.
        let raw = Process()
        raw.executableURL = URL(fileURLWithPath: "/bin/sh")
        raw.arguments = ["-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 socat - TCP:127.0.0.1:\(bob.port) >/dev/null"]
        try raw.run()
        raw.waitUntilExit()
        #expect(raw.terminationStatus != 124, "non-TLS bytes: the node closed the connection")

        // A peer that completes TLS but never says HELLO is dropped after 10 s.
        let silent = try hostile.exchange(port: bob.port, bytes: [], holdOpen: 20)
        #expect(silent.seconds > 8 && silent.seconds < 15, "closed after \(silent.seconds) s")
        #expect(containsClose(silent.received, code: 3))

        // Bob still serves Alice.
        #expect(try bob.isOnline("alice"))
        try alice.parley("send", "bob", "still here?").requireSuccess()
        try waitUntil(timeout: 10, "delivery after the attacks") {
            try bob.history("alice").last?["body"] as? String == "still here?"
        }
    }
}
