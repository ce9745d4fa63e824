import Foundation
import Testing
@testable import ParleyTerminalVideo
#if canImport(Glibc)
import Glibc
#endif

@Suite("Terminal capabilities", .timeLimit(.minutes(1)))
struct CapabilityTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func kittyAnswersOK() {
        let parser = TerminalReplyParser.parse(Self.bytes("\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[?62;22c"))
        #expect(parser.sawDeviceAttributes)
        #expect(parser.capabilities == TerminalCapabilities(kittyGraphics: true))
        // An error, or an answer for another image, is not support.
        #expect(!TerminalReplyParser.parse(Self.bytes("\u{1B}_Gi=31;ENOTSUPPORTED:no\u{1B}\\\u{1B}[?62c")).capabilities.kittyGraphics)
        #expect(!TerminalReplyParser.parse(Self.bytes("\u{1B}_Gi=7;OK\u{1B}\\\u{1B}[?62c")).capabilities.kittyGraphics)
    }

    @Test func sixelFromTheDeviceAttributes() {
        let xterm = TerminalReplyParser.parse(Self.bytes("\u{1B}[?63;1;2;4;6;9;15;22c"))
        #expect(xterm.sawDeviceAttributes && xterm.capabilities.sixel)
        let plain = TerminalReplyParser.parse(Self.bytes("\u{1B}[?1;2c"))
        #expect(plain.sawDeviceAttributes && !plain.capabilities.sixel)
        // 14 or 44 are not 4.
        #expect(!TerminalReplyParser.parse(Self.bytes("\u{1B}[?62;14;44c")).capabilities.sixel)
    }

    @Test func synchronizedOutputFromDECRQM() {
        for (state, supported) in [(0, false), (1, true), (2, true), (3, true), (4, false)] {
            let parser = TerminalReplyParser.parse(Self.bytes("\u{1B}[?2026;\(state)$y\u{1B}[?1;2c"))
            #expect(parser.capabilities.synchronizedOutput == supported, "state \(state)")
        }
        #expect(!TerminalReplyParser.parse(Self.bytes("\u{1B}[?2027;2$y\u{1B}[?1;2c")).capabilities.synchronizedOutput)
    }

    /// The cursor position after the emoji sequence probe: column 3 (two cells) means the
    /// terminal joins the sequence; 7 (three emoji of two cells) or anything else does not.
    @Test func emojiSequencesFromTheCursorPositionReport() {
        #expect(TerminalReplyParser.parse(Self.bytes("\u{1B}[24;3R\u{1B}[?62c")).capabilities.joinsEmojiSequences)
        for reply in ["\u{1B}[24;7R", "\u{1B}[24;5R", "\u{1B}[3R", "\u{1B}[?24;3R", ""] {
            #expect(!TerminalReplyParser.parse(Self.bytes(reply + "\u{1B}[?62c")).capabilities.joinsEmojiSequences, "\(reply)")
        }
        // The probe is written first, from the start of the line, and erased at once.
        let query = String(decoding: TerminalCapabilityQuery.queryBytes, as: UTF8.self)
        #expect(query.hasPrefix("\r" + TerminalCapabilityQuery.emojiSequenceProbe + "\u{1B}[6n\r\u{1B}[2K"))
    }

    @Test func everythingAtOnceSplitAnywhereWithKeysMixedIn() {
        let reply = Self.bytes("x\u{1B}_Gi=31;OK\u{1B}\\q\u{1B}[?2026;2$y\u{1B}[6;20;10t\u{1B}[A\u{1B}[?64;4c")
        for split in 0 ... reply.count {
            var parser = TerminalReplyParser()
            parser.consume(reply[..<split])
            parser.consume(reply[split...])
            #expect(parser.sawDeviceAttributes)
            #expect(parser.capabilities == TerminalCapabilities(
                kittyGraphics: true, sixel: true, synchronizedOutput: true, cellPixelSize: PixelSize(width: 10, height: 20)))
        }
    }

    @Test func garbageAndIncompleteRepliesGiveNothing() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 200 {
            let noise = (0 ..< Int.random(in: 0 ..< 300, using: &generator)).map { _ in
                // Mostly escape-ish bytes, never a 'c' that could end a DA1 by chance.
                let byte = [0x1B, 0x5B, 0x3F, 0x3B, 0x34, 0x5F, 0x47, 0x5C, 0x07].randomElement(using: &generator) ?? 0
                return Bool.random(using: &generator) ? UInt8(byte) : UInt8.random(in: 0 ... 0x62, using: &generator)
            }
            let parser = TerminalReplyParser.parse(noise)
            #expect(!parser.sawDeviceAttributes)
        }
        let incomplete = TerminalReplyParser.parse(Self.bytes("\u{1B}_Gi=31;OK\u{1B}[?2026;2$y\u{1B}[?1;2"))
        #expect(!incomplete.sawDeviceAttributes)
        #expect(!incomplete.capabilities.kittyGraphics)
        // Overlong numbers and parameters do not trap.
        _ = TerminalReplyParser.parse(Self.bytes("\u{1B}[?99999999999999999999999;4c\u{1B}[6;999999999999999;1t"))
        _ = TerminalReplyParser.parse([UInt8](repeating: 0x1B, count: 40_000))
    }

    @Test func rendererChoice() {
        #expect(VideoRendererChoice.allCases.map(\.rawValue) == ["auto", "kitty", "sixel", "blocks"])
        #expect(VideoRendererChoice(rawValue: "sixel") == .sixel)
        let kitty = TerminalCapabilities(kittyGraphics: true, sixel: true)
        #expect(VideoRendererChoice.auto.resolved(for: kitty, insideTmux: false) == .kitty)
        #expect(VideoRendererChoice.auto.resolved(for: kitty, insideTmux: true) == .blocks)
        #expect(VideoRendererChoice.auto.resolved(for: TerminalCapabilities(sixel: true), environment: [:]) == .sixel)
        #expect(VideoRendererChoice.auto.resolved(for: TerminalCapabilities(sixel: true), environment: ["TMUX": "/tmp/x,1,0"]) == .blocks)
        #expect(VideoRendererChoice.auto.resolved(for: .none, insideTmux: false) == .blocks)
        #expect(VideoRendererChoice.sixel.resolved(for: .none, insideTmux: true) == .sixel)
        #expect(TerminalColorMode.detect(environment: ["COLORTERM": "truecolor"]) == .trueColor)
        #expect(TerminalColorMode.detect(environment: ["TERM": "xterm-256color"]) == .palette256)
        #expect(TerminalColorMode(parsing: "256") == .palette256)
    }

    /// A pseudo-terminal: the test plays the terminal on the master side.
    final class PseudoTerminal {
        let master: Int32
        let slave: Int32

        init() throws {
            // posix_openpt and friends are not in Swift's Glibc module: /dev/ptmx with the
            // Linux ioctls TIOCSPTLCK (unlock) and TIOCGPTN (number).
            master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
            var unlock: Int32 = 0
            var number: UInt32 = 0
            guard master >= 0, ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
                throw POSIXError(.ENODEV)
            }
            slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
            guard slave >= 0 else { throw POSIXError(.ENODEV) }
        }

        deinit {
            close(slave)
            close(master)
        }
    }

    @Test func silentTerminalTimesOutWithNothing() throws {
        let terminal = try PseudoTerminal()
        let start = Date()
        let capabilities = TerminalCapabilityQuery.detect(descriptor: terminal.slave, timeoutMilliseconds: 300)
        #expect(capabilities == .none)
        #expect(Date().timeIntervalSince(start) < 2)
        // The queries were written.
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(terminal.master, &buffer, buffer.count)
        #expect(Array(buffer.prefix(max(count, 0))) == TerminalCapabilityQuery.queryBytes)
    }

    @Test func answeringTerminalIsDetectedAndLeavesNoInput() throws {
        let terminal = try PseudoTerminal()
        let master = terminal.master
        // Answer like xterm -ti vt340 with mode 2026, after a delay, plus a late stray byte pair.
        let answer = Thread {
            var buffer = [UInt8](repeating: 0, count: 256)
            _ = read(master, &buffer, buffer.count)
            usleep(50_000)
            let reply = Array("\u{1B}[?2026;2$y\u{1B}[?63;1;2;4;6c".utf8)
            _ = reply.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        }
        answer.start()
        let capabilities = TerminalCapabilityQuery.detect(descriptor: terminal.slave, timeoutMilliseconds: 3000)
        #expect(capabilities == TerminalCapabilities(sixel: true, synchronizedOutput: true))
        // Canonical mode and echo are back.
        var mode = termios()
        tcgetattr(terminal.slave, &mode)
        #expect(mode.c_lflag & tcflag_t(ICANON) != 0)
        #expect(mode.c_lflag & tcflag_t(ECHO) != 0)
    }
}
