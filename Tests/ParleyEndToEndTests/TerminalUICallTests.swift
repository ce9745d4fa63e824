import Foundation
import Testing

/// Calls from the terminal UI in tmux, with a scripted `parley daemon` as the peer: the call
/// bar, the video pane drawn in the terminal, the media toggles, chat during the call, a
/// resize, hanging up, and answering a call with Alt-Y.
@Suite("Terminal UI calls in tmux", .serialized)
struct TerminalUICallTests {
    /// Both sides send a WAV in a loop and the test pattern, and play nothing.
    /// Alice's terminal UI (its node embedded) in tmux at 120×36, on a free loopback port,
    /// once its node answers.
    static func startAlicesUI(_ home: TemporaryHome) throws -> (session: TmuxSession, port: Int) {
        try home.parley("id", "--set-name", "alice").requireSuccess()
        let port = try freeLoopbackPort()
        let command = "env TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 '\(parleyExecutable.path)' --home '\(home.path)' "
            + "--listen 127.0.0.1:\(port); sleep 30"
        let session = try TmuxSession(socket: home.url.appending(path: "tmux.sock").path, columns: 120, rows: 36, command: command)
        do {
            try waitUntil(timeout: 20, "the UI's node answers") { (try? home.parley("status"))?.status == 0 }
        } catch {
            session.kill()
            throw error
        }
        return (session, port)
    }

    static func deviceConfig(_ folder: URL) throws -> String {
        let wav = folder.appending(path: "voice.wav").path
        if !FileManager.default.fileExists(atPath: wav) { _ = try MediaFixtures.writeSpeech(to: wav, seconds: 4) }
        return "audio_input = wav-loop:\(wav)\naudio_output = none\nvideo_input = pattern\nvideo_output = none\n"
    }

    @Test(.timeLimit(.minutes(3)))
    func aVideoCallFromTheUI() throws {
        let bobHome = try TemporaryHome(), aliceHome = try TemporaryHome()
        try bobHome.writeConfig(try Self.deviceConfig(bobHome.url))
        try aliceHome.writeConfig(try Self.deviceConfig(aliceHome.url))
        let bob = try DaemonProcess(name: "bob", home: bobHome)
        var session: TmuxSession?
        defer {
            session?.kill()
            bob.cleanup()
            aliceHome.cleanup()
        }
        try bob.start()
        try aliceHome.parley("id", "--set-name", "alice").requireSuccess()
        let alicePort = try freeLoopbackPort()
        let command = "env TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 '\(parleyExecutable.path)' --home '\(aliceHome.path)' "
            + "--listen 127.0.0.1:\(alicePort); sleep 30"
        session = try TmuxSession(socket: aliceHome.url.appending(path: "tmux.sock").path, columns: 120, rows: 36, command: command)
        let ui = try #require(session)
        try waitUntil(timeout: 20, "the UI's node answers") { (try? aliceHome.parley("status"))?.status == 0 }
        try aliceHome.parley("contacts", "add", try bob.contactID(), "--name", "bob", "--address", bob.address).requireSuccess()
        try bob.parley("contacts", "add", try aliceHome.contactID(), "--name", "alice",
                       "--address", "127.0.0.1:\(alicePort)").requireSuccess()
        try bob.parley("contacts", "calls", "alice", "--auto-answer", "video").requireSuccess()
        try waitUntil(timeout: 30, "link alice–bob") { try bob.isOnline("alice") }
        try ui.waitForScreen("bob online") { $0.first?.contains("bob ● online") == true }

        // F6 calls bob with video; he answers by himself; the call bar shows and its clock ticks.
        try ui.press("F6")
        try bob.waitForCall("active")
        var firstClock = ""
        try ui.waitForScreen("the call bar") { screen in
            guard screen.count > 1, let clock = Self.clock(in: screen[1]) else { return false }
            firstClock = clock
            return screen[1].contains("☎ bob") && screen[1].contains("host")
        }
        try ui.waitForScreen("the call's clock ticks", timeout: 5) { Self.clock(in: $0[1]).map { $0 != firstClock } ?? false }

        // The video pane shows bob's pattern in half blocks with 24-bit colours, and it moves.
        var firstPicture = ""
        try waitUntil(timeout: 15, "the picture in the video pane") {
            firstPicture = try Self.videoRows(ui)
            return firstPicture.contains("▀") && firstPicture.contains("38;2;") && firstPicture.contains("48;2;")
        }
        Thread.sleep(forTimeInterval: 1)
        #expect(try Self.videoRows(ui) != firstPicture, "the picture moves")

        // /mute: bob sees alice's microphone off, and hears nothing more.
        try ui.type("/mute")
        try waitUntil(timeout: 10, "alice's microphone off at bob") {
            ((try bob.callStatus()?["remote"] as? [String: Any])?["audio_out"] as? Bool) == false
        }
        try ui.waitForScreen("the bar shows the microphone off") { $0[1].contains("you: mic✗") }

        // A message typed during the call reaches bob.
        try ui.type("during the call: https://example.org/notes")
        try waitUntil(timeout: 20, "the message at bob") {
            try bob.history("alice").contains { ($0["body"] as? String) == "during the call: https://example.org/notes" }
        }

        // A resize during the call: the screen is consistent at the new size.
        try ui.resize(columns: 80, rows: 24)
        try ui.waitForScreen("an 80×24 call screen") { screen in
            screen.count == 24 && screen[1].contains("☎ bob") && screen[23].hasPrefix("bob›")
                && screen.contains { $0.contains("during the call: https://example.org/notes") }
        }
        for line in try ui.screen() { #expect(line.displayColumns <= 80, "\(line)") }
        try ui.resize(columns: 120, rows: 36)

        // F8 hangs up: the bar goes, the call is in the conversation.
        try ui.press("F8")
        try bob.waitForCall("ended")
        try ui.waitForScreen("the chat alone again, the call in the history") { screen in
            !screen[1].contains("☎ bob") && screen.contains { $0.contains("↗ video call, ") }
        }

        // Bob calls: the bar rings on alice's screen, Alt-Y answers.
        try bob.parley("call", "start", "alice").requireSuccess()
        try ui.waitForScreen("the incoming call") { $0[1].contains("bob is calling you (call)") && $0[1].contains("Alt-Y answer") }
        try ui.press("M-y")
        try bob.waitForCall("active")
        try ui.waitForScreen("the answered call's bar") { $0[1].contains("☎ bob") && $0[1].contains("you: mic") }
        try bob.parley("call", "hangup").requireSuccess()
        try ui.waitForScreen("bob hung up") { screen in screen.contains { $0.contains("bob hung up") } }
    }

    @Test(.timeLimit(.minutes(2)))
    func aVideoCallFromAUIAttachedToADaemon() throws {
        let aliceHome = try TemporaryHome(), bobHome = try TemporaryHome()
        try aliceHome.writeConfig(try Self.deviceConfig(aliceHome.url))
        try bobHome.writeConfig(try Self.deviceConfig(bobHome.url))
        let alice = try DaemonProcess(name: "alice", home: aliceHome), bob = try DaemonProcess(name: "bob", home: bobHome)
        var session: TmuxSession?
        defer {
            session?.kill()
            alice.cleanup()
            bob.cleanup()
        }
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")
        try bob.parley("contacts", "calls", "alice", "--auto-answer", "video").requireSuccess()
        let command = "env TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 '\(parleyExecutable.path)' --home '\(aliceHome.path)'; sleep 30"
        session = try TmuxSession(socket: aliceHome.url.appending(path: "tmux.sock").path, columns: 120, rows: 36, command: command)
        let ui = try #require(session)
        try ui.waitForScreen("the UI attached, bob online") { $0.first?.contains("bob ● online") == true }
        try ui.press("F6")
        try bob.waitForCall("active")
        // The pictures come from the daemon over the control socket.
        var firstPicture = ""
        try waitUntil(timeout: 15, "the picture in the attached UI's video pane") {
            firstPicture = try Self.videoRows(ui)
            return firstPicture.contains("▀") && firstPicture.contains("38;2;")
        }
        Thread.sleep(forTimeInterval: 1)
        #expect(try Self.videoRows(ui) != firstPicture, "the picture moves")
        try ui.press("F8")
        try bob.waitForCall("ended")
        try alice.waitForCall("ended")
    }

    /// Rows 3 to 12 of the screen with their colours (inside the video pane at 120×36).
    static func videoRows(_ ui: TmuxSession) throws -> String {
        try ui.screenWithColors().components(separatedBy: "\n").dropFirst(3).prefix(10).joined(separator: "\n")
    }

    /// The "m:ss" clock of a call bar.
    static func clock(in bar: String) -> String? {
        guard let range = bar.range(of: #"\d+:\d\d"#, options: .regularExpression) else { return nil }
        return String(bar[range])
    }
}

extension TerminalUICallTests {
    @Test("A group call from the UI: /invite brings carol into the call with bob; the pane shows a tile per peer and the self-view, labelled",
          .timeLimit(.minutes(3)))
    func aGroupCallFromTheUI() throws {
        let homes = (alice: try TemporaryHome(), bob: try TemporaryHome(), carol: try TemporaryHome())
        let small = { (home: TemporaryHome) in
            try home.writeConfig(try Self.deviceConfig(home.url).replacingOccurrences(of: "video_input = pattern", with: "video_input = pattern:160x120"))
        }
        // Alice plays what she hears (into a file): the mix, whose loudest peer the pane marks.
        try homes.alice.writeConfig(try Self.deviceConfig(homes.alice.url)
            .replacingOccurrences(of: "video_input = pattern", with: "video_input = pattern:160x120")
            .replacingOccurrences(of: "audio_output = none", with: "audio_output = wav:\(homes.alice.url.appending(path: "heard.wav").path)"))
        try small(homes.bob)
        try small(homes.carol)
        let bob = try DaemonProcess(name: "bob", home: homes.bob), carol = try DaemonProcess(name: "carol", home: homes.carol)
        var session: TmuxSession?
        defer {
            session?.kill()
            bob.cleanup()
            carol.cleanup()
            homes.alice.cleanup()
        }
        try bob.start()
        try carol.start()
        try befriend(bob, as: "bob", carol, as: "carol")
        let (ui, alicePort) = try Self.startAlicesUI(homes.alice)
        session = ui
        for peer in [bob, carol] {
            let name = peer === bob ? "bob" : "carol"
            try homes.alice.parley("contacts", "add", try peer.contactID(), "--name", name, "--address", peer.address).requireSuccess()
            try peer.parley("contacts", "add", try homes.alice.contactID(), "--name", "alice",
                            "--address", "127.0.0.1:\(alicePort)").requireSuccess()
            try peer.parley("contacts", "calls", "alice", "--auto-answer", "video").requireSuccess()
            try waitUntil(timeout: 30, "link alice–\(name)") { try peer.isOnline("alice") }
        }
        try ui.waitForScreen("bob online") { $0.contains { $0.contains("bob ● online") } }
        try ui.type("/vcall")
        try bob.waitForCall("active")
        try ui.waitForScreen("the call bar") { $0[1].contains("☎ bob") }
        try ui.type("/invite carol")
        try waitUntil(timeout: 20, "carol connected to bob and alice") {
            let legs = (try carol.callStatus()?["participants"] as? [[String: Any]]) ?? []
            return legs.filter { $0["state"] as? String == "active" }.count == 2
        }
        try ui.waitForScreen("the group's bar and tiles", timeout: 15) { screen in
            let text = screen.joined(separator: "\n")
            let labelled = { (name: String) in text.contains("  \(name)") || text.contains("▶ \(name)") }
            return screen[1].contains("☎ bob +1") && labelled("bob") && labelled("carol") && text.contains("  you")
        }
        try ui.waitForScreen("the one speaking marked", timeout: 15) { screen in
            screen.contains { $0.contains("▶ bob") || $0.contains("▶ carol") }
        }
        try waitUntil(timeout: 15, "pictures in the tiles") {
            let rows = try ui.screenWithColors()
            return rows.contains("▀") && rows.contains("38;2;")
        }
        // The chat belongs to the call: a line typed in bob's conversation reaches carol too.
        try ui.type("hello both of you")
        for (peer, name) in [(bob, "bob"), (carol, "carol")] {
            try waitUntil(timeout: 20, "the message at \(name)") {
                try peer.history("alice").contains { ($0["body"] as? String) == "hello both of you" }
            }
        }
        try ui.waitForScreen("the notice") { $0.contains { $0.contains("sent to the call: bob, carol") } }
        print("the group call's screen:\n" + (try ui.screen()).joined(separator: "\n"))
        try ui.press("F8")
        try bob.waitForCall("active")   // bob and carol go on without alice
        try waitUntil(timeout: 10, "alice's legs ended at carol") {
            let legs = (try carol.callStatus()?["participants"] as? [[String: Any]]) ?? []
            return legs.first { $0["name"] as? String == "alice" }?["state"] as? String == "ended"
        }
        try ui.waitForScreen("the chat alone again") { !$0[1].contains("☎ bob") }
    }

    @Test("A broadcast from the UI: bob's announcement shows, /watch opens it on the call screen, /hangup leaves; /broadcast and /broadcast stop",
          .timeLimit(.minutes(3)))
    func aBroadcastFromTheUI() throws {
        let homes = (alice: try TemporaryHome(), bob: try TemporaryHome())
        try homes.alice.writeConfig(try Self.deviceConfig(homes.alice.url).replacingOccurrences(of: "video_input = pattern", with: "video_input = pattern:160x120"))
        try homes.bob.writeConfig(try Self.deviceConfig(homes.bob.url))
        let bob = try DaemonProcess(name: "bob", home: homes.bob)
        var session: TmuxSession?
        defer {
            session?.kill()
            bob.cleanup()
            homes.alice.cleanup()
        }
        try bob.start()
        let (ui, alicePort) = try Self.startAlicesUI(homes.alice)
        session = ui
        try homes.alice.parley("contacts", "add", try bob.contactID(), "--name", "bob", "--address", bob.address).requireSuccess()
        try bob.parley("contacts", "add", try homes.alice.contactID(), "--name", "alice", "--address", "127.0.0.1:\(alicePort)").requireSuccess()
        try waitUntil(timeout: 30, "link alice–bob") { try bob.isOnline("alice") }
        try ui.waitForScreen("bob online") { $0.contains { $0.contains("bob ● online") } }
        try bob.parley("broadcast", "start", "--to", "alice", "--audio", "none", "--video", "pattern:160x120").requireSuccess()
        try ui.waitForScreen("bob's announcement") { $0.contains { $0.contains("bob is broadcasting (video) — /watch bob") } }
        try ui.type("/watch")
        try waitUntil(timeout: 15, "alice watches") {
            (try bob.parley("broadcast", "status", "--json").json as? [String: Any])?["watching"] as? Int == 1
        }
        try ui.waitForScreen("the call bar") { $0[1].contains("☎ bob") }
        try waitUntil(timeout: 15, "bob's picture on alice's screen") {
            let rows = try ui.screenWithColors()
            return rows.contains("▀") && rows.contains("38;2;")
        }
        try ui.type("/hangup")
        try waitUntil(timeout: 10, "alice left") {
            (try bob.parley("broadcast", "status", "--json").json as? [String: Any])?["watching"] as? Int == 0
        }
        try ui.waitForScreen("the chat alone again") { !$0[1].contains("☎ bob") }
        // Alice broadcasts to bob from the UI, then stops.
        try ui.type("/broadcast bob")
        try ui.waitForScreen("alice's notice") { $0.contains { $0.contains("broadcasting audio and video to bob") } }
        try waitUntil(timeout: 10, "bob is told") {
            ((try bob.parley("broadcast", "list", "--json").json as? [[String: Any]]) ?? []).contains { $0["name"] as? String == "alice" }
        }
        try ui.type("/broadcast stop")
        try ui.waitForScreen("stopped") { $0.contains { $0.contains("broadcast stopped") } }
        try waitUntil(timeout: 10, "bob's list empties") {
            ((try bob.parley("broadcast", "list", "--json").json as? [[String: Any]]) ?? []).isEmpty
        }
    }
}
