import Foundation
import Testing

/// Two real daemons on loopback exchanging messages through the CLI.
@Suite("Chat between two nodes", .serialized)
struct ChatTests {
    @Test func thousandMessagesEachWayArriveOnceInOrderAndDelivered() async throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")

        let count = 1000
        let fromAlice = (0..<count).map { "a→b \($0) héllo 日本 👍" }
        let fromBob = (0..<count).map { "b→a \($0)" }
        async let sentByAlice = Task.detached { try alice.parley("send", "bob", "--lines", input: fromAlice.joined(separator: "\n") + "\n") }.value
        async let sentByBob = Task.detached { try bob.parley("send", "alice", "--lines", input: fromBob.joined(separator: "\n") + "\n") }.value
        #expect(try await sentByAlice.status == 0)
        #expect(try await sentByBob.status == 0)

        try waitUntil(timeout: 60, "all delivered") {
            let a = try alice.history("bob"), b = try bob.history("alice")
            return a.count == 2 * count && b.count == 2 * count
                && a.allSatisfy { $0["direction"] as? String == "in" || $0["state"] as? String == "delivered" }
                && b.allSatisfy { $0["direction"] as? String == "in" || $0["state"] as? String == "delivered" }
        }
        let aliceHistory = try alice.history("bob"), bobHistory = try bob.history("alice")
        func bodies(_ history: [[String: Any]], _ direction: String) -> [String] {
            history.filter { $0["direction"] as? String == direction }.compactMap { $0["body"] as? String }
        }
        #expect(bodies(bobHistory, "in") == fromAlice, "bob got alice's messages once each, in order")
        #expect(bodies(aliceHistory, "in") == fromBob, "alice got bob's messages once each, in order")
        #expect(Set(aliceHistory.compactMap { $0["id"] as? String }) == Set(bobHistory.compactMap { $0["id"] as? String }))
    }

    @Test func receiverKilledMidStreamGetsEverythingOnceAfterRestart() async throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")

        let first = (0..<20000).map { "before \($0)" }
        let second = (0..<200).map { "while down \($0)" }
        let sending = Task.detached {
            try alice.parley("send", "bob", "--lines", input: first.joined(separator: "\n") + "\n").requireSuccess()
        }
        try waitUntil(timeout: 30, "some messages reach bob") { try bob.history("alice").count >= 100 }
        bob.kill()
        let receivedBeforeKill = try bob.history("alice").count
        #expect(receivedBeforeKill < first.count, "the kill happened mid-stream")
        _ = try await sending.value
        try alice.parley("send", "bob", "--lines", input: second.joined(separator: "\n") + "\n").requireSuccess()
        try bob.start()
        try waitUntil(timeout: 60, "everything reaches bob") { try bob.history("alice").count >= first.count + second.count }
        try waitUntil(timeout: 30, "all delivered") {
            try alice.history("bob").allSatisfy { $0["state"] as? String == "delivered" }
        }
        let received = try bob.history("alice").compactMap { $0["body"] as? String }
        #expect(received == first + second)
    }

    @Test func offlineContactGetsQueuedMessagesWhenItComesUp() throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")
        bob.stop()
        try alice.parley("send", "bob", "see you later").requireSuccess()
        #expect(try alice.history("bob").last?["state"] as? String == "queued")
        alice.stop()
        // Both restart; the queue survived in SQLite.
        try bob.start()
        try alice.start()
        try waitUntil(timeout: 30, "queued message delivered") {
            try bob.history("alice").last?["body"] as? String == "see you later"
                && alice.history("bob").last?["state"] as? String == "delivered"
        }
    }

    @Test func sendWithoutANodeIsDeliveredOnceOneStarts() throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")
        alice.stop()
        // No node runs for alice: the message is stored as queued.
        let sent = try alice.parley("send", "bob", "written before any node ran")
        #expect(sent.status == 0 && sent.stdout.contains("no node runs"), "\(sent.stdout) \(sent.stderr)")
        try alice.parley("send", "bob", "--lines", input: "line one\nline two\n").requireSuccess()
        #expect(try alice.history("bob").map { $0["state"] as? String } == ["queued", "queued", "queued"])
        #expect(try alice.parley("file", "list").status == 0, "file list works without a node")
        try alice.start()
        try waitUntil(timeout: 30, "the queued messages delivered") {
            try bob.history("alice").compactMap { $0["body"] as? String } == ["written before any node ran", "line one", "line two"]
        }
    }

    @Test func eventsStreamMessagesAndReadReceipts() throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")

        let events = Process()
        events.executableURL = parleyExecutable
        events.arguments = ["events", "--count", "1", "--home", bob.home.path]
        let output = Pipe()
        events.standardOutput = output
        try events.run()
        usleep(300_000)
        try alice.parley("send", "bob", "ping from alice").requireSuccess()
        let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        events.waitUntilExit()
        let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(event?["event"] as? String == "message")
        #expect(event?["body"] as? String == "ping from alice")
        #expect(event?["name"] as? String == "alice")

        try bob.parley("read", "alice").requireSuccess()
        try waitUntil(timeout: 10, "read receipt") { try alice.history("bob").last?["state"] as? String == "read" }
    }

    @Test func silentPeerIsDeclaredDeadWithin30SecondsAndRelinkedWhenBack() throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")
        bob.freeze()
        let frozenAt = Date()
        try waitUntil(timeout: 45, "bob declared offline") { try !alice.isOnline("bob") }
        let detected = Date().timeIntervalSince(frozenAt)
        #expect(detected <= 35, "dead link noticed after \(detected) s")
        try alice.parley("send", "bob", "are you back?").requireSuccess()
        bob.thaw()
        try waitUntil(timeout: 60, "relinked and delivered") {
            try bob.history("alice").last?["body"] as? String == "are you back?"
        }
    }

    @Test func readReceiptsReachASenderThatWasOffline() throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")
        try alice.parley("send", "bob", "read me later").requireSuccess()
        try waitUntil(timeout: 20, "delivered") { try alice.history("bob").last?["state"] as? String == "delivered" }
        alice.stop()
        try waitUntil(timeout: 10, "bob sees alice offline") { try !bob.isOnline("alice") }
        try bob.parley("read", "alice").requireSuccess()
        try alice.start()
        try waitUntil(timeout: 30, "read receipt after reconnect") {
            try alice.history("bob").last?["state"] as? String == "read"
        }
    }

    @Test func commandsThatNeedTheNodeSaySoWhenNoneRuns() throws {
        let home = try TemporaryHome()
        defer { home.cleanup() }
        let result = try home.parley("status")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no node is running"))
        // send stores for the next node, and still refuses what no node would take.
        let unknown = try home.parley("send", "bob", "hello")
        #expect(unknown.status == 1 && unknown.stderr.contains("no contact"), "\(unknown.stderr)")
        #expect(try home.parley("contacts", "list").status == 0)
    }
}
