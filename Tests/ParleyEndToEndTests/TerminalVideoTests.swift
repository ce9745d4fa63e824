import Foundation
import Testing

/// `parley view` in tmux: the video drawn in half blocks with 24-bit colour, moving, and the
/// terminal given back at the end.
@Suite("Terminal video in tmux", .serialized)
struct TerminalVideoTests {
    @Test(.timeLimit(.minutes(1))) func patternIsDrawnInColouredHalfBlocksAndMoves() throws {
        let home = try TemporaryHome()
        var session: TmuxSession?
        defer {
            session?.kill()
            home.cleanup()
        }
        let exitFile = home.url.appending(path: "view-exit-code").path
        let command = "env TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 '\(parleyExecutable.path)' view pattern "
            + "--seconds 5 --renderer blocks 2>/dev/null; echo $? > '\(exitFile)'; sleep 30"
        session = try TmuxSession(socket: home.url.appending(path: "tmux.sock").path, columns: 80, rows: 24, command: command)
        let view = try #require(session)
        try view.waitForScreen("the picture and the status line", timeout: 10) { screen in
            screen.contains { $0.contains("▀") || $0.contains("▄") } && screen.last?.contains("fps shown") == true
        }
        #expect(try view.alternateScreenOn())
        let first = try view.screenWithColors()
        Thread.sleep(forTimeInterval: 1)
        let second = try view.screenWithColors()
        for capture in [first, second] {
            #expect(capture.contains("▀") || capture.contains("▄"))
            #expect(capture.contains("38;2;"), "24-bit foreground")
            #expect(capture.contains("48;2;"), "24-bit background")
        }
        #expect(first != second, "the pattern moves")
        // Ends by itself after --seconds, exit status 0, the terminal given back.
        try waitUntil(timeout: 15, "parley view ends") { FileManager.default.fileExists(atPath: exitFile) }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try String(contentsOfFile: exitFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try !view.alternateScreenOn())
    }
}
