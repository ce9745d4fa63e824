#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks the terminal what it can draw (the only part of this library that reads from a
/// terminal).
///
/// Writes, in one go: an emoji ZWJ sequence and a cursor position request (erased again:
/// does the terminal join the sequence into one picture?), the kitty graphics query (`ESC _ G i=31,s=1,v=1,a=q,t=d,f=24;AAAA
/// ESC \`), DECRQM for synchronized output (`ESC [ ? 2026 $ p`), the cell size in pixels
/// (`ESC [ 16 t`) and last the primary device attributes (`ESC [ c`), which every terminal
/// answers: once that reply is in, the others are too (or will never come). Reads with a
/// time-out, so it never hangs on a terminal that answers nothing.
///
/// Run it **before curses starts** (`initscr`): it switches the terminal to non-canonical,
/// no-echo mode for the duration and puts the previous mode back, then discards unread input
/// (a late reply must not reach the program as keys). Inside tmux, tmux itself answers.
public enum TerminalCapabilityQuery {
    /// An emoji ZWJ sequence (man, ZWJ, woman, ZWJ, girl): how wide the terminal draws it.
    public static let emojiSequenceProbe = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"

    /// The bytes written to the terminal: first the emoji probe at the start of the line with a
    /// cursor position request (`ESC [ 6 n`), erased again at once; then the queries.
    public static let queryBytes: [UInt8] = Array(
        ("\r" + emojiSequenceProbe + "\u{1B}[6n" + "\r\u{1B}[2K"
            + "\u{1B}_Gi=\(TerminalReplyParser.kittyQueryImageID),s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\"
            + "\u{1B}[?2026$p" + "\u{1B}[16t" + "\u{1B}[c").utf8)

    /// Queries the terminal on `descriptor` (a tty opened for reading and writing; by default
    /// `/dev/tty` is opened and closed again). Returns `.none` when there is no terminal,
    /// nothing answers within `timeoutMilliseconds`, or the answer is garbage.
    public static func detect(descriptor: Int32? = nil, timeoutMilliseconds: Int = 400) -> TerminalCapabilities {
        let fd: Int32
        if let descriptor {
            fd = descriptor
        } else {
            fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
            guard fd >= 0 else { return .none }
        }
        defer { if descriptor == nil { close(fd) } }
        guard isatty(fd) == 1 else { return .none }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return .none }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return .none }
        defer {
            tcflush(fd, TCIFLUSH)
            var restore = saved
            tcsetattr(fd, TCSANOW, &restore)
        }
        guard writeAll(fd, queryBytes) else { return .none }
        var parser = TerminalReplyParser()
        let deadline = monotonicMilliseconds() + Int64(max(0, timeoutMilliseconds))
        var chunk = [UInt8](repeating: 0, count: 512)
        while !parser.sawDeviceAttributes {
            let remaining = deadline - monotonicMilliseconds()
            guard remaining > 0 else { break }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining, 1000)))
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                break
            }
            if count == 0 { break }
            parser.consume(chunk[0 ..< count])
        }
        // A terminal that never answered DA1 (not a terminal, a dead link): trust nothing.
        return parser.sawDeviceAttributes ? parser.capabilities : .none
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(fd, base + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            offset += written
        }
        return true
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}

/// The terminal's size from the kernel (`TIOCGWINSZ`): cells, and pixels when the terminal
/// reports them (xterm, kitty, foot do; many others give 0).
public struct TerminalWindowSize: Equatable, Sendable {
    public var columns: Int
    public var rows: Int
    /// The whole window in pixels, when known.
    public var pixels: PixelSize?

    public init(columns: Int, rows: Int, pixels: PixelSize? = nil) {
        self.columns = columns
        self.rows = rows
        self.pixels = pixels
    }

    /// The size of the terminal on `descriptor`; nil when it is not a terminal.
    public static func current(descriptor: Int32 = 1) -> TerminalWindowSize? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        let pixels = size.ws_xpixel > 0 && size.ws_ypixel > 0 ? PixelSize(width: Int(size.ws_xpixel), height: Int(size.ws_ypixel)) : nil
        return TerminalWindowSize(columns: Int(size.ws_col), rows: Int(size.ws_row), pixels: pixels)
    }

    /// One cell in pixels, when the window's pixel size is known.
    public var cellPixelSize: PixelSize? {
        guard let pixels, columns > 0, rows > 0, pixels.width >= columns, pixels.height >= rows else { return nil }
        return PixelSize(width: pixels.width / columns, height: pixels.height / rows)
    }
}
