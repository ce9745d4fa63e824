import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Our own side misbehaving: what the command line and local files can ask
/// of a node is refused clearly, at once, and loses nothing (hostile-input
/// defects 10, 12–15, 18, 19).
@Suite("Hostile input: our own side", .serialized, .timeLimit(.minutes(3)))
struct OwnSideInputTests {
    /// Defect 10: a name over the wire limit is refused at `file send`, so the
    /// link never flaps on an offer the peer must refuse.
    @Test func fileNameOverTheWireLimitIsRefusedAtOnce() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let file = alice.home.url.appending(path: "f.txt")
        try Data("x".utf8).write(to: file)
        let result = try alice.parley("file", "send", "bob", file.path, "--name", String(repeating: "n", count: 1100))
        #expect(result.status == 1)
        #expect(result.stderr.contains("over the limit of 1024"), "\(result.stderr)")
        #expect((try alice.parley("file", "list", "--json").json as? [Any])?.isEmpty == true, "nothing offered")
        #expect(try alice.isOnline("bob"), "the link stays up")
    }

    /// Defect 12: a batch over the control socket's line limit is split by size;
    /// one request over it gets a clear error instead of a SIGPIPE.
    @Test func bigBatchesAreSplitAndOversizedRequestsRefusedClearly() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let line = String(repeating: "y", count: 3000)
        let lines = (0..<500).map { "\($0) \(line)" }.joined(separator: "\n") + "\n"
        let batch = try alice.parley("send", "bob", "--lines", input: lines)
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.stdout.contains("Queued 500 messages"), "\(batch.stdout)")
        try waitUntil(timeout: 60, "500 long messages delivered") { try bob.history("alice").count == 500 }

        let huge = String(repeating: "z", count: 2 << 20)
        let single = try alice.parley("send", "bob", "-", input: huge)
        #expect(single.status == 1)
        #expect(single.stderr.contains("limit"), "\(single.stderr)")
        #expect(try alice.history("bob").count == 500, "nothing half-queued")
    }

    /// Defect 13: NUL is refused with a clear error, never cut short silently.
    @Test func textWithNULIsRefusedNotTruncated() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let result = try alice.parley("send", "bob", "-", input: "nul\u{0}inside")
        #expect(result.status == 1)
        #expect(result.stderr.contains("NUL"), "\(result.stderr)")
        let lines = try alice.parley("send", "bob", "--lines", input: "fine\nbad\u{0}line\n")
        #expect(lines.status == 1)
        #expect(lines.stderr.contains("line 2"), "\(lines.stderr)")
        #expect(try alice.history("bob").allSatisfy { ($0["body"] as? String)?.hasPrefix("nul") != true })
    }

    /// Defect 14: a device is refused at once, and SIGTERM always ends the daemon quickly.
    @Test func nonRegularFilesAreRefusedAndSIGTERMEndsTheDaemon() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let started = Date()
        let zero = try alice.parley("file", "send", "bob", "/dev/zero")
        #expect(zero.status == 1)
        #expect(zero.stderr.contains("not a regular file"), "\(zero.stderr)")
        let fifo = alice.home.url.appending(path: "fifo").path
        mkfifo(fifo, 0o600)
        let pipe = try alice.parley("file", "send", "bob", fifo)
        #expect(pipe.status == 1 && pipe.stderr.contains("not a regular file"), "\(pipe.stderr)")
        #expect(Date().timeIntervalSince(started) < 5, "refused at once")
        #expect(try alice.parley("status", "--json").status == 0, "the daemon still answers")

        let stopping = Date()
        alice.stop()
        #expect(Date().timeIntervalSince(stopping) < 6, "SIGTERM ended the daemon in \(Date().timeIntervalSince(stopping)) s")
    }

    /// Defect 15: a file truncated after its offer fails the transfer, with a reason, on both sides.
    @Test func aFileChangedAfterItsOfferFailsOnBothSides() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let file = alice.home.url.appending(path: "shrinks.bin")
        try writeRandomFile(file, megabytes: 4)
        let sent = try alice.parley("file", "send", "bob", file.path, "--json").requireSuccess()
        let id = try #require((sent.json as? [String: Any])?["id"] as? String)
        try waitUntil(timeout: 20, "offer reaches bob") { try transfer(id, on: bob)?["state"] as? String == "offered" }
        try shell("truncate -s 1000 '\(file.path)'")
        let downloads = bob.home.url.appending(path: "downloads")
        try bob.parley("file", "accept", id, "--to", downloads.path).requireSuccess()
        try waitUntil(timeout: 20, "both sides give up") {
            try transfer(id, on: alice)?["state"] as? String == "failed"
                && ["cancelled", "failed"].contains(transfer(id, on: bob)?["state"] as? String ?? "")
        }
        #expect((try transfer(id, on: alice)?["error"] as? String ?? "").contains("changed after it was offered"))
        #expect((try transfer(id, on: bob)?["error"] as? String ?? "").contains("changed after it was offered"))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: downloads.path)) ?? []
        #expect(!left.contains("shrinks.bin"), "no half-written file that looks complete")
    }

    /// Defect 18: an existing profile folder and its database are made private.
    @Test func profileFolderAndDatabaseArePrivateEvenWhenTheFolderExisted() throws {
        let home = try TemporaryHome()
        defer { home.cleanup() }
        chmod(home.path, 0o755)
        try home.parley("id").requireSuccess()
        try home.parley("contacts", "list").requireSuccess()
        func mode(_ path: String) -> mode_t {
            var info = stat()
            stat(path, &info)
            return info.st_mode & 0o777
        }
        #expect(mode(home.path) == 0o700)
        for file in ["parley.db", "parley.db-wal", "parley.db-shm", "identity.key"]
        where FileManager.default.fileExists(atPath: "\(home.path)/\(file)") {
            #expect(mode("\(home.path)/\(file)") & 0o077 == 0, "\(file) is \(String(mode("\(home.path)/\(file)"), radix: 8))")
        }
    }

    /// Defect 19: `--limit` is checked the same way everywhere.
    @Test(arguments: ["search", "history"])
    func limitIsValidatedTheSameEverywhere(command: String) throws {
        let home = try TemporaryHome(), other = try TemporaryHome()
        defer { home.cleanup(); other.cleanup() }
        try home.parley("contacts", "add", try other.contactID(), "--name", "bob").requireSuccess()
        for bad in ["-1", "0", "1000001"] {
            let result = try home.parley(command, command == "search" ? "x" : "bob", "--limit=\(bad)")
            #expect(result.status == 2, "\(command) --limit=\(bad)")
            #expect(result.stderr.contains("--limit must be from 1 to 1000000"), "\(result.stderr)")
        }
        #expect(try home.parley(command, command == "search" ? "x" : "bob", "--limit", "5").status == 0)
    }
}
