import Foundation
import Testing

/// The terminal UI in tmux, chatting with a scripted `parley daemon`.
@Suite("Terminal UI in tmux", .serialized)
struct TerminalUITests {
    @Test func chatResizeFileOfferAndQuit() throws {
        let bob = try DaemonProcess(name: "bob")
        let aliceHome = try TemporaryHome()
        let tmuxSocket = aliceHome.url.appending(path: "tmux.sock").path
        var session: TmuxSession?
        defer {
            session?.kill()
            bob.cleanup()
            aliceHome.cleanup()
        }
        try bob.start()
        try aliceHome.parley("id", "--set-name", "alice").requireSuccess()
        let alicePort = try freeLoopbackPort()
        let exitFile = aliceHome.url.appending(path: "ui-exit-code").path
        let command = "env TERM=xterm-256color LANG=C.UTF-8 '\(parleyExecutable.path)' --home '\(aliceHome.path)' "
            + "--listen 127.0.0.1:\(alicePort); echo $? > '\(exitFile)'; sleep 30"
        session = try TmuxSession(socket: tmuxSocket, columns: 120, rows: 40, command: command)
        let ui = try #require(session)
        try waitUntil(timeout: 20, "the UI's node answers") { (try? aliceHome.parley("status"))?.status == 0 }
        try ui.waitForScreen("the welcome screen") { $0.contains { $0.contains("Welcome to Parley, alice") } }

        // Contacts on both sides; the UI's node is driven by the CLI through its control socket.
        try aliceHome.parley("contacts", "add", try bob.contactID(), "--name", "bob", "--address", bob.address)
            .requireSuccess()
        try bob.parley("contacts", "add", try aliceHome.contactID(), "--name", "alice",
                       "--address", "127.0.0.1:\(alicePort)").requireSuccess()
        try waitUntil(timeout: 30, "link alice–bob") { try bob.isOnline("alice") }

        // A message from the scripted peer shows in the conversation.
        try bob.parley("send", "alice", "hello from bob 日本").requireSuccess()
        try ui.waitForScreen("bob's message") { $0.contains { $0.contains("bob │ hello from bob 日本") } }
        // tmux joins emoji ZWJ sequences (its cursor report says two cells), so a family is drawn whole.
        try bob.parley("send", "alice", "family 👨‍👩‍👧 done").requireSuccess()
        try ui.waitForScreen("the whole family emoji") { $0.contains { $0.contains("bob │ family 👨‍👩‍👧 done") } }

        // What is typed in the UI arrives intact (composed é, CJK, emoji).
        let typed = "caf\u{E9} 日本 👍 ok"
        try ui.type(typed)
        try waitUntil(timeout: 20, "alice's message at bob") {
            try bob.history("alice").contains { ($0["body"] as? String) == typed }
        }
        try ui.waitForScreen("alice's message with a delivery mark") {
            $0.contains { $0.contains("alice │ café 日本 👍 ok ✓") }
        }

        // 80×24 and back: the screen is redrawn to the new size, nothing left over.
        for (columns, rows) in [(80, 24), (120, 40)] {
            try ui.resize(columns: columns, rows: rows)
            try ui.waitForScreen("a \(columns)×\(rows) screen") { screen in
                screen.count == rows
                    && screen[0].hasPrefix(" bob ● online")
                    && screen[rows - 2].contains("alice")
                    && screen[rows - 1].hasPrefix("bob›")
                    && screen.contains { $0.contains("bob │ hello from bob 日本") }
                    && screen.contains { $0.contains("alice │ café 日本 👍 ok") }
            }
            for line in try ui.screen() { #expect(line.displayColumns <= columns, "\(line)") }
        }

        // /send offers a file; bob accepts it and gets the same bytes.
        let file = aliceHome.url.appending(path: "notes.bin")
        try writeRandomFile(file, megabytes: 1)
        try ui.type("/send \(file.path)")
        var offerID = ""
        try waitUntil(timeout: 30, "the offer at bob") {
            let list = try bob.parley("file", "list", "--json").json as? [[String: Any]] ?? []
            offerID = list.first { $0["file"] as? String == "notes.bin" }?["id"] as? String ?? ""
            return !offerID.isEmpty
        }
        let downloads = bob.home.url.appending(path: "downloads")
        try bob.parley("file", "accept", offerID, "--to", downloads.path).requireSuccess()
        try waitUntil(timeout: 30, "the file at bob") {
            (try? transfer(offerID, on: bob))?["state"] as? String == "completed"
        }
        #expect(try Data(contentsOf: downloads.appending(path: "notes.bin")) == Data(contentsOf: file))
        try ui.press("F2")
        try ui.waitForScreen("the transfers panel") {
            $0.contains { $0.contains("notes.bin") && $0.contains("100%") && $0.contains("completed") }
        }
        try ui.press("Escape")
        // Wait for the panel to close, so the Escape cannot pair with what is typed next (Alt-/).
        try ui.waitForScreen("the transfers panel closed") { !$0.contains { $0.contains("100%") } }

        // /quit leaves with status 0 and gives the terminal back.
        try ui.type("/quit")
        try waitUntil(timeout: 20, "the UI to exit") { FileManager.default.fileExists(atPath: exitFile) }
        try waitUntil(timeout: 5, "the exit code") {
            ((try? String(contentsOfFile: exitFile, encoding: .utf8)) ?? "").hasSuffix("\n")
        }
        #expect(try String(contentsOfFile: exitFile, encoding: .utf8) == "0\n")
        #expect(try ui.alternateScreenOn() == false)
        #expect(try !ui.screen().contains { $0.contains("listening") })
    }
}

extension TerminalUITests {
    /// Everyday frictions: a draft per conversation, Tab completing a name (never switching),
    /// /nick, /add with a host and no port, /remove asking first.
    @Test(.timeLimit(.minutes(2)))
    func draftsCompletionNickAddAndRemove() throws {
        let home = try TemporaryHome(), bobHome = try TemporaryHome(), carolHome = try TemporaryHome()
        defer { home.cleanup(); bobHome.cleanup(); carolHome.cleanup() }
        try home.parley("id", "--set-name", "alice").requireSuccess()
        try home.parley("contacts", "add", try bobHome.contactID(), "--name", "bob").requireSuccess()
        try home.parley("contacts", "add", try carolHome.contactID(), "--name", "carol").requireSuccess()
        let command = "env TERM=xterm-256color LANG=C.UTF-8 '\(parleyExecutable.path)' --home '\(home.path)' "
            + "--listen 127.0.0.1:\(try freeLoopbackPort()); sleep 30"
        let ui = try TmuxSession(socket: home.url.appending(path: "tmux.sock").path, columns: 100, rows: 30, command: command)
        defer { ui.kill() }
        try ui.waitForScreen("bob's conversation") { $0.first?.hasPrefix(" bob ") == true }

        // A draft in bob's conversation; Tab completes carol's name and stays with bob.
        try ui.type("thanks ca", enter: false)
        try ui.press("Tab")
        try ui.waitForScreen("the name completed") { $0.last?.hasPrefix("bob› thanks carol") == true }
        // Ctrl-N opens carol's conversation with an empty line; Ctrl-P brings bob's draft back.
        try ui.press("C-n")
        try ui.waitForScreen("carol's conversation, empty") { $0.first?.hasPrefix(" carol ") == true && $0.last == "carol›" }
        try ui.type("for carol", enter: false)
        try ui.press("C-p")
        try ui.waitForScreen("bob's draft back") { $0.first?.hasPrefix(" bob ") == true && $0.last?.hasPrefix("bob› thanks carol") == true }
        try ui.press("C-n")
        try ui.waitForScreen("carol's draft back") { $0.last?.hasPrefix("carol› for carol") == true }
        try ui.press("C-u")

        // /nick: the name contacts see.
        try ui.type("/nick Alice Liddell")
        try waitUntil(timeout: 10, "the new name") {
            (try home.parley("id", "--json").json as? [String: Any])?["name"] as? String == "Alice Liddell"
        }

        // /add with a host and no port: port 29172.
        let daveHome = try TemporaryHome()
        defer { daveHome.cleanup() }
        try ui.type("/add \(try daveHome.contactID()) dave 192.0.2.7")
        try waitUntil(timeout: 10, "dave added with his address") {
            let list = try home.parley("contacts", "list", "--json").json as? [[String: Any]] ?? []
            return list.contains { $0["name"] as? String == "dave" && ($0["addresses"] as? [String])?.contains("192.0.2.7:29172") == true }
        }

        // /remove asks first; Esc keeps the contact, Alt-K removes it but keeps the conversation,
        // Alt-Y removes both.
        try ui.type("/remove")
        try ui.waitForScreen("the question") { $0.contains { $0.contains("Remove dave? Their conversation") } }
        try ui.press("Escape")
        try ui.waitForScreen("dave stays") { $0.contains { $0.contains("dave stays") } }
        #expect(try home.parley("contacts", "list", "--json").stdout.contains("dave"))
        try ui.type("/remove")
        try ui.waitForScreen("the question again") { $0.contains { $0.contains("Alt-K remove, keep the conversation") } }
        try ui.press("M-k")
        try waitUntil(timeout: 10, "dave removed") { try !home.parley("contacts", "list", "--json").stdout.contains("dave") }
        #expect(try home.parley("history", "dave").status == 0, "the conversation is kept")
        try home.parley("contacts", "add", try daveHome.contactID(), "--name", "dave").requireSuccess()
        try ui.press("C-e", "C-u")  // the conversation opened instead of dave's may have a draft
        try ui.type("/remove dave")
        try ui.waitForScreen("the question once more") { $0.contains { $0.contains("Remove dave? Their conversation") } }
        try ui.press("M-y")
        try waitUntil(timeout: 10, "dave and the conversation removed") { try home.parley("history", "dave").status == 1 }
    }
}

extension TerminalUITests {
    /// `parley daemon &` then `parley`: the UI attaches to the running node, chats through it,
    /// and leaves it online when it closes.
    @Test(.timeLimit(.minutes(2)))
    func theUIAttachesToARunningDaemon() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let command = "env TERM=xterm-256color LANG=C.UTF-8 '\(parleyExecutable.path)' --home '\(alice.home.path)'; echo ui-exit=$?; sleep 30"
        let ui = try TmuxSession(socket: alice.home.url.appending(path: "tmux.sock").path, columns: 100, rows: 30, command: command)
        defer { ui.kill() }
        try ui.waitForScreen("the attached UI") { $0.contains { $0.contains("attached to the node at \(alice.address)") } }
        try ui.waitForScreen("bob online") { $0.first?.contains("bob ● online") == true }

        try ui.type("sent from the attached UI")
        try waitUntil(timeout: 20, "the message at bob") {
            try bob.history("alice").contains { ($0["body"] as? String) == "sent from the attached UI" }
        }
        try bob.parley("send", "alice", "and back to the attached UI").requireSuccess()
        try ui.waitForScreen("bob's answer") { $0.contains { $0.contains("bob │ and back to the attached UI") } }

        try ui.type("/quit")
        try ui.waitForScreen("the UI closed") { $0.contains { $0.contains("ui-exit=0") } }
        #expect(try alice.isOnline("bob"), "the daemon stays online")
        try bob.parley("send", "alice", "after the UI closed").requireSuccess()
        try waitUntil(timeout: 20, "delivered to the daemon") {
            try alice.history("bob").contains { ($0["body"] as? String) == "after the UI closed" }
        }
    }
}

extension TerminalUITests {
    /// Scrolled up, a new message shows as a marker and is not marked read until End brings
    /// the view to it.
    @Test(.timeLimit(.minutes(2)))
    func newMessagesBelowAndReadOnlyWhenSeen() throws {
        let (alice, bob) = try startLinkedPair()
        defer { alice.cleanup(); bob.cleanup() }
        let lines = (1 ... 60).map { "old line \($0)" }.joined(separator: "\n") + "\n"
        try bob.parley("send", "alice", "--lines", input: lines).requireSuccess()
        let command = "env TERM=xterm-256color LANG=C.UTF-8 '\(parleyExecutable.path)' --home '\(alice.home.path)'; sleep 30"
        let ui = try TmuxSession(socket: alice.home.url.appending(path: "tmux.sock").path, columns: 100, rows: 30, command: command)
        defer { ui.kill() }
        try ui.waitForScreen("the newest old line") { $0.contains { $0.contains("bob │ old line 60") } }
        try ui.press("PageUp")
        try ui.waitForScreen("scrolled up") { !$0.contains { $0.contains("old line 60") } }
        try bob.parley("send", "alice", "arrives while alice reads back").requireSuccess()
        try ui.waitForScreen("the marker") { $0.contains { $0.contains("↓ 1 new message below") } }
        try waitUntil(timeout: 5, "the unread count in the terminal's title") { try ui.paneTitle().contains("(1 unread)") }
        Thread.sleep(forTimeInterval: 1)
        #expect(try bob.history("alice").last?["state"] as? String == "delivered", "not read: it is not on screen")
        try ui.press("End")
        try ui.waitForScreen("the newest message, no marker") { screen in
            screen.contains { $0.contains("bob │ arrives while alice reads back") } && !screen.contains { $0.contains("new message below") }
        }
        try waitUntil(timeout: 10, "read once seen") { try bob.history("alice").last?["state"] as? String == "read" }
        try waitUntil(timeout: 5, "no unread in the title") { try !ui.paneTitle().contains("unread") }
    }
}

extension String {
    /// Terminal columns, counting East Asian wide characters and emoji as two (enough for these checks).
    var displayColumns: Int {
        reduce(0) { total, character in
            let scalar = character.unicodeScalars.first!
            let wide = scalar.properties.isEmojiPresentation || (0x1100...0x115F).contains(scalar.value)
                || (0x2E80...0xA4CF).contains(scalar.value) || (0xAC00...0xD7A3).contains(scalar.value)
                || (0xF900...0xFAFF).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value)
            return total + (wide ? 2 : 1)
        }
    }
}
