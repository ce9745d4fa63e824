import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// File transfers between two real daemons on loopback.
@Suite("File transfer", .serialized)
struct FileTransferTests {
    /// Two linked daemons and a download folder on the receiver's side.
    struct Pair {
        let alice: DaemonProcess
        let bob: DaemonProcess
        var downloads: URL { bob.home.url.appending(path: "downloads") }

        init() throws {
            alice = try DaemonProcess(name: "alice")
            bob = try DaemonProcess(name: "bob")
            try alice.start()
            try bob.start()
            try befriend(alice, as: "alice", bob, as: "bob")
            try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        }

        func cleanup() {
            alice.cleanup()
            bob.cleanup()
        }

        /// Alice offers `path`; returns the transfer ID once Bob has the offer.
        func offer(_ path: String, as name: String? = nil) throws -> String {
            var arguments = ["file", "send", "bob", path, "--json", "--home", alice.home.path]
            if let name { arguments += ["--name", name] }
            let sent = try runParley(arguments).requireSuccess()
            let id = try #require((sent.json as? [String: Any])?["id"] as? String)
            try waitUntil(timeout: 20, "offer reaches bob") { try transfer(id, on: bob)?["state"] as? String == "offered" }
            return id
        }

        func accept(_ id: String) throws {
            try bob.parley("file", "accept", id, "--to", downloads.path).requireSuccess()
        }
    }

    @Test func largeFileArrivesIdenticalWhileChatStaysPrompt() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let source = pair.alice.home.url.appending(path: "big.bin")
        try writeRandomFile(source, megabytes: 200)
        let id = try pair.offer(source.path)
        try pair.accept(id)

        try waitUntil(timeout: 60, "transfer under way") {
            (try transfer(id, on: pair.bob)?["bytes_done"] as? Int ?? 0) > 0
        }
        try pair.alice.parley("send", "bob", "chat during the transfer").requireSuccess()
        try waitUntil(timeout: 30, "chat delivered") {
            try pair.alice.history("bob").last?["state"] as? String == "delivered"
        }
        try waitUntil(timeout: 180, "transfer complete") {
            try transfer(id, on: pair.bob)?["state"] as? String == "completed"
                && transfer(id, on: pair.alice)?["state"] as? String == "completed"
        }
        let received = pair.downloads.appending(path: "big.bin")
        #expect(try sha256(of: received) == sha256(of: source))
        #expect(try FileManager.default.contentsOfDirectory(atPath: pair.downloads.path) == ["big.bin"])
    }

    @Test(arguments: ["receiver", "sender"])
    func killedMidwayResumesWithoutStartingOver(victim: String) throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let source = pair.alice.home.url.appending(path: "resume.bin")
        try writeRandomFile(source, megabytes: 200)
        let size = 200 * 1024 * 1024
        let id = try pair.offer(source.path)
        try pair.accept(id)
        try waitUntil(timeout: 120, "about half received") {
            (try transfer(id, on: pair.bob)?["bytes_done"] as? Int ?? 0) >= size * 4 / 10
        }
        let killed = victim == "receiver" ? pair.bob : pair.alice
        killed.kill()
        let doneAtKill = try transfer(id, on: pair.bob, offline: true)?["bytes_done"] as? Int ?? 0
        #expect(doneAtKill < size, "killed before the end")
        try killed.start()
        try waitUntil(timeout: 180, "transfer completes after restart") {
            try transfer(id, on: pair.bob)?["state"] as? String == "completed"
                && transfer(id, on: pair.alice)?["state"] as? String == "completed"
        }
        #expect(try sha256(of: pair.downloads.appending(path: "resume.bin")) == sha256(of: source))
        #expect(try FileManager.default.contentsOfDirectory(atPath: pair.downloads.path) == ["resume.bin"])
        if victim == "receiver" {
            let sent = try transfer(id, on: pair.alice)?["bytes_sent"] as? Int ?? 0
            #expect(sent - size < size / 10, "resent \(sent - size) bytes of \(size)")
        }
    }

    @Test func filesShowInTheHistoryOfBothSidesAmongTheMessages() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        func delivered() throws -> Bool { try pair.alice.history("bob").last?["state"] as? String == "delivered" }
        try pair.alice.parley("send", "bob", "here it comes").requireSuccess()
        try waitUntil(timeout: 20, "first message delivered", delivered)
        let source = pair.alice.home.url.appending(path: "notes.txt")
        try Data("notes".utf8).write(to: source)
        let id = try pair.offer(source.path)
        #expect(try pair.bob.history("alice").allSatisfy { $0["type"] == nil }, "without --all, messages only, as before")
        let offered = try pair.bob.history("alice", all: true).first { $0["type"] as? String == "file" }
        #expect(offered?["state"] as? String == "offered" && offered?["id"] as? String == id)
        #expect(try pair.bob.parley("history", "alice").stdout.contains("⇅ alice → me: notes.txt, 5 B — offered ("))
        try pair.accept(id)
        try waitUntil(timeout: 20, "transfer complete on both sides") {
            try transfer(id, on: pair.bob)?["state"] as? String == "completed"
                && transfer(id, on: pair.alice)?["state"] as? String == "completed"
        }
        try pair.alice.parley("send", "bob", "did it arrive?").requireSuccess()
        try waitUntil(timeout: 20, "second message delivered", delivered)

        for (node, peer, direction) in [(pair.alice, "bob", "out"), (pair.bob, "alice", "in")] {
            let entries = try node.history(peer, all: true)
            let files = entries.filter { $0["type"] as? String == "file" }
            #expect(files.count == 1)
            let file = try #require(files.first)
            #expect(file["id"] as? String == id && file["state"] as? String == "completed")
            #expect(file["direction"] as? String == direction && file["file"] as? String == "notes.txt")
            #expect(file["size"] as? Int == 5 && file["created_at"] is String)
            // In time order among the messages, which keep their shape (no "type").
            let order = entries.map { ($0["body"] as? String) ?? ($0["file"] as? String) ?? "?" }
            #expect(order == ["here it comes", "notes.txt", "did it arrive?"], "as \(peer)'s peer sees it")
            #expect(entries.filter { $0["type"] == nil }.allSatisfy { $0["body"] != nil && $0["state"] != nil })
        }
        let received = try #require(try pair.bob.history("alice", all: true).first { $0["type"] as? String == "file" })
        #expect(received["path"] as? String == pair.downloads.appending(path: "notes.txt").path)
        #expect(try pair.alice.parley("history", "bob").stdout.contains("⇅ me → bob: notes.txt, 5 B — sent"))
        #expect(try pair.bob.parley("history", "alice").stdout.contains("⇅ alice → me: notes.txt, 5 B — saved to "))
    }

    @Test func hostileNamesLandAsSafeFilesInsideTheDownloadFolder() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let source = pair.alice.home.url.appending(path: "payload.txt")
        try Data("harmless".utf8).write(to: source)
        let names = ["../../etc/passwd", "a/b", "..", String(repeating: "n", count: 300), "two\nlines.txt", ".bashrc"]
        for name in names {
            let id = try pair.offer(source.path, as: name)
            try pair.accept(id)
            try waitUntil(timeout: 20, "\(name.prefix(20)) received") {
                try transfer(id, on: pair.bob)?["state"] as? String == "completed"
            }
            let path = try #require(try transfer(id, on: pair.bob)?["path"] as? String)
            #expect(URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
                == pair.downloads.standardizedFileURL.path, "\(path) is in the download folder")
            let base = URL(fileURLWithPath: path).lastPathComponent
            #expect(!base.hasPrefix(".") && !base.contains("\n") && base.utf8.count <= 200, "\(base) is safe")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "harmless")
        }
        #expect(!FileManager.default.fileExists(atPath: pair.bob.home.url.appending(path: "etc/passwd").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: pair.downloads.path).count == names.count)
    }

    @Test func aFileRewrittenAfterItsOfferIsNotSent() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let source = pair.alice.home.url.appending(path: "changing.bin")
        try writeRandomFile(source, megabytes: 2)
        let id = try pair.offer(source.path)
        try writeRandomFile(source, megabytes: 2)  // same size, other bytes: no longer the file that was hashed
        try pair.accept(id)
        try waitUntil(timeout: 30, "the sender refuses to send it") {
            try transfer(id, on: pair.alice)?["state"] as? String == "failed"
        }
        #expect((try transfer(id, on: pair.alice)?["error"] as? String ?? "").contains("changed after it was offered"))
        // As long as the sender may take: once, with the end-to-end suites all running on two
        // cores, the notice took more than 10 s (not understood yet; see the closing notes).
        try waitUntil(timeout: 30, "receiver told") {
            (try transfer(id, on: pair.bob)?["error"] as? String ?? "").contains("changed after it was offered")
        }
        #expect(!FileManager.default.fileExists(atPath: pair.downloads.appending(path: "changing.bin").path))
    }

    /// The receiver's own check: data that does not match the offered SHA-256
    /// (sent here by a scripted contact) is never renamed to the final name.
    @Test func dataThatDoesNotMatchTheOfferedHashIsNeverRenamed() throws {
        let bob = try DaemonProcess(name: "bob")
        let mallory = try HostilePeer()
        defer { bob.cleanup(); mallory.cleanup() }
        let downloads = bob.home.url.appending(path: "downloads")
        try bob.home.writeConfig("downloads = \(downloads.path)\n")
        try bob.start()
        try bob.parley("contacts", "add", try mallory.home.contactID(), "--name", "mallory").requireSuccess()
        try bob.parley("contacts", "files", "mallory", "--auto-accept-up-to", "1M").requireSuccess()
        let id = UUID()
        _ = try mallory.exchange(port: bob.port, bytes: WireBytes.hello(contact: true)
            + WireBytes.offer(id, name: "changing.bin", size: 100)
            + WireBytes.chunk(id, offset: 0, data: Array(repeating: 0x41, count: 100)), holdOpen: 3)
        try waitUntil(timeout: 30, "verification fails") {
            try transfer(id.uuidString, on: bob)?["state"] as? String == "failed"
        }
        #expect((try transfer(id.uuidString, on: bob)?["error"] as? String ?? "").contains("SHA-256"))
        #expect(!FileManager.default.fileExists(atPath: downloads.appending(path: "changing.bin").path))
        #expect(FileManager.default.fileExists(atPath: downloads.appending(path: "changing.bin.part").path))
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func fullDiskPausesKeepsWhatWasWrittenAndResumesAfterSpaceIsFreed() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let small = pair.bob.home.url.appending(path: "small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        try shell("mount -t tmpfs -o size=16m tmpfs '\(small.path)'")
        defer { try? shell("umount -l '\(small.path)'") }
        let source = pair.alice.home.url.appending(path: "large.bin")
        try writeRandomFile(source, megabytes: 24)
        let id = try pair.offer(source.path)
        try pair.bob.parley("file", "accept", id, "--to", small.path).requireSuccess()
        try waitUntil(timeout: 30, "disk-full pause") { try transfer(id, on: pair.bob)?["state"] as? String == "paused" }
        #expect((try transfer(id, on: pair.bob)?["error"] as? String ?? "").contains("disk is full"))
        let part = small.appending(path: "large.bin.part")
        #expect(FileManager.default.fileExists(atPath: part.path), "what was written is kept")
        #expect(!FileManager.default.fileExists(atPath: small.appending(path: "large.bin").path))

        try shell("mount -o remount,size=64m '\(small.path)'")
        try pair.bob.parley("file", "resume", id).requireSuccess()
        try waitUntil(timeout: 60, "completes after space is freed") {
            try transfer(id, on: pair.bob)?["state"] as? String == "completed"
        }
        #expect(try sha256(of: small.appending(path: "large.bin")) == sha256(of: source))
        #expect(!FileManager.default.fileExists(atPath: part.path))
    }

    @Test func withHomeTheFileLandsInsideTheProfile() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let source = pair.alice.home.url.appending(path: "notes.txt")
        try Data("inside the profile".utf8).write(to: source)
        let id = try pair.offer(source.path)
        try pair.bob.parley("file", "accept", id).requireSuccess()  // no --to: the profile's downloads folder
        try waitUntil(timeout: 20, "the file at bob") { try transfer(id, on: pair.bob)?["state"] as? String == "completed" }
        let landed = pair.bob.home.url.appending(path: "downloads/notes.txt")
        #expect(try String(contentsOf: landed, encoding: .utf8) == "inside the profile")
        #expect(try transfer(id, on: pair.bob)?["path"] as? String == landed.path)
    }

    @Test func emptyFileArrives() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let source = pair.alice.home.url.appending(path: "empty.txt")
        try Data().write(to: source)
        let id = try pair.offer(source.path)
        try pair.accept(id)
        try waitUntil(timeout: 20, "empty file completes on both sides") {
            try transfer(id, on: pair.bob)?["state"] as? String == "completed"
                && transfer(id, on: pair.alice)?["state"] as? String == "completed"
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: pair.downloads.path) == ["empty.txt"])
    }

    @Test func senderCancelMidwayRemovesTheReceiversPartFile() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let source = pair.alice.home.url.appending(path: "long.bin")
        try writeRandomFile(source, megabytes: 400)
        let id = try pair.offer(source.path)
        try pair.alice.parley("contacts", "list").requireSuccess()
        try pair.accept(id)
        try waitUntil(timeout: 60, "under way") { (try transfer(id, on: pair.bob)?["bytes_done"] as? Int ?? 0) > 0 }
        try pair.alice.parley("file", "cancel", id).requireSuccess()
        try waitUntil(timeout: 20, "receiver cancelled") { try transfer(id, on: pair.bob)?["state"] as? String == "cancelled" }
        #expect(try FileManager.default.contentsOfDirectory(atPath: pair.downloads.path).isEmpty)
    }

    @Test func rejectedAndCancelledTransfersStop() throws {
        let pair = try Pair()
        defer { pair.cleanup() }
        let source = pair.alice.home.url.appending(path: "small.txt")
        try Data("x".utf8).write(to: source)
        let rejected = try pair.offer(source.path)
        try pair.bob.parley("file", "reject", rejected).requireSuccess()
        try waitUntil(timeout: 10, "sender sees the rejection") {
            try transfer(rejected, on: pair.alice)?["state"] as? String == "rejected"
        }
        let cancelled = try pair.offer(source.path)
        try pair.alice.parley("file", "cancel", cancelled).requireSuccess()
        try waitUntil(timeout: 10, "receiver sees the cancel") {
            try transfer(cancelled, on: pair.bob)?["state"] as? String == "cancelled"
        }
        #expect(try pair.bob.parley("file", "accept", cancelled).status == 1)
    }
}

/// A transfer as `parley file list --json` shows it (or, with the node down, as stored).
func transfer(_ id: String, on node: DaemonProcess, offline: Bool = false) throws -> [String: Any]? {
    if offline {
        let path = node.home.url.appending(path: "parley.db").path
        let output = Process()
        output.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        output.arguments = ["python3", "-c", """
            import sqlite3, json, sys
            db = sqlite3.connect(sys.argv[1])
            row = db.execute("SELECT bytes_done, state FROM transfers WHERE uuid = ?", (sys.argv[2],)).fetchone()
            print(json.dumps({"bytes_done": row[0], "state": row[1]} if row else {}))
            """, path, id]
        let pipe = Pipe()
        output.standardOutput = pipe
        try output.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        output.waitUntilExit()
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
    let list = try node.parley("file", "list", "--json").json as? [[String: Any]] ?? []
    return list.first { $0["id"] as? String == id }
}

func writeRandomFile(_ url: URL, megabytes: Int) throws {
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    let output = try FileHandle(forWritingTo: url)
    let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
    defer {
        try? output.close()
        try? random.close()
    }
    for _ in 0..<megabytes {
        try output.write(contentsOf: try random.read(upToCount: 1 << 20) ?? Data())
    }
}

/// Runs a shell command; throws if it fails.
func shell(_ command: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CommandFailed(status: process.terminationStatus, stderr: command) }
}

func sha256(of url: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [url.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}

/// Several transfers at once, both ways, with auto-accept and events.
@Suite("Concurrent transfers")
struct ConcurrentTransferTests {
    @Test func severalTransfersBothWaysWithAutoAcceptAndEvents() throws {
        let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob")
        defer { alice.cleanup(); bob.cleanup() }
        let downloads = try TemporaryHome()
        defer { downloads.cleanup() }
        try alice.home.writeConfig("downloads = \(downloads.path)/alice\n")
        try bob.home.writeConfig("downloads = \(downloads.path)/bob\n")
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")
        try bob.parley("contacts", "files", "alice", "--auto-accept-up-to", "64M").requireSuccess()
        try alice.parley("contacts", "files", "bob", "--auto-accept-up-to", "64M", "--max-size", "100M").requireSuccess()

        let (events, eventOutput) = try startEventStream(on: bob)
        usleep(300_000)

        var sources: [(from: DaemonProcess, to: String, url: URL)] = []
        for (index, sender) in [alice, alice, bob].enumerated() {
            let url = sender.home.url.appending(path: "file\(index).bin")
            try writeRandomFile(url, megabytes: 20)
            sources.append((sender, sender === alice ? "bob" : "alice", url))
        }
        let tooBig = bob.home.url.appending(path: "too-big.bin")
        try writeRandomFile(tooBig, megabytes: 101)
        for source in sources {
            try source.from.parley("file", "send", source.to, source.url.path).requireSuccess()
        }
        try bob.parley("file", "send", "alice", tooBig.path).requireSuccess()

        try waitUntil(timeout: 120, "all three complete") {
            let done = (try alice.parley("file", "list", "--json").json as? [[String: Any]] ?? [])
                .filter { $0["state"] as? String == "completed" }
            return done.count == 3
        }
        for (index, source) in sources.enumerated() {
            let folder = source.to == "bob" ? "bob" : "alice"
            let received = downloads.url.appending(path: "\(folder)/file\(index).bin")
            #expect(try sha256(of: received) == sha256(of: source.url))
        }
        try waitUntil(timeout: 20, "the oversized offer is refused") {
            (try bob.parley("file", "list", "--json").json as? [[String: Any]] ?? [])
                .contains { $0["file"] as? String == "too-big.bin" && $0["state"] as? String == "rejected" }
        }
        events.terminate()
        let lines = String(decoding: eventOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        for kind in ["file-offer", "file-state", "file-complete"] {
            #expect(lines.contains("\"event\":\"\(kind)\""), "events include \(kind)")
        }
    }
}
