import Foundation
import ParleyMedia
import ParleyTerminalVideo
#if canImport(Glibc)
import Glibc
#endif

/// The whole terminal as a video screen, for `parley view` and `parley stream receive
/// --video-out term`: the picture above, a one-line status below; the alternate screen with
/// the cursor hidden while it runs, and everything put back by `close()` (also after
/// Ctrl-C, which only asks the command to stop). `q` (or Ctrl-C, Esc) calls `onQuit`.
final class TerminalVideoScreen: @unchecked Sendable {
    /// What the person asked for.
    struct Settings: Sendable {
        var renderer: VideoRendererChoice = .auto
        var colors: TerminalColorMode?
        var symbols: BlockSymbols = .halfBlocks
    }

    /// How the picture is drawn once `auto` is resolved.
    let kind: VideoRendererKind
    let colors: TerminalColorMode
    let capabilities: TerminalCapabilities
    private let writer: TerminalVideoWriter
    private let state: Locked<ScreenState>
    private let savedMode: termios
    private let resize: any DispatchSourceSignal
    private let started = Date()

    private struct ScreenState {
        var closed = false
        var status = ""
        var quitRequested = false
        var onQuit: (@Sendable () -> Void)?
    }

    /// Extra words for the status line (a stream's statistics).
    var statusText: String {
        get { state.value.status }
        set { state.update { $0.status = newValue } }
    }

    /// Called once when the person presses q, Esc or Ctrl-C.
    func onQuit(_ action: @escaping @Sendable () -> Void) {
        state.update { $0.onQuit = action }
    }

    var quitRequested: Bool { state.value.quitRequested }

    /// Takes over the terminal: refuses when standard output or input is not a terminal.
    init(settings: Settings, title: String) throws {
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure("the video is drawn in the terminal: standard input and output must be a terminal")
        }
        let environment = ProcessInfo.processInfo.environment
        // Before anything else is drawn: the query must not race other output.
        capabilities = TerminalCapabilityQuery.detect()
        kind = settings.renderer.resolved(for: capabilities, environment: environment)
        colors = settings.colors ?? TerminalColorMode.detect(environment: environment)
        let size = TerminalWindowSize.current(descriptor: STDOUT_FILENO) ?? TerminalWindowSize(columns: 80, rows: 24)
        var configuration = TerminalVideoRenderer.Configuration(
            kind: kind,
            blocks: BlockVideoRenderer.Options(symbols: settings.symbols, colors: colors, synchronizedOutput: capabilities.synchronizedOutput),
            cellPixelSize: size.cellPixelSize ?? capabilities.cellPixelSize)
        configuration.maximumImageSize = PixelSize(width: 640, height: 480)
        let state = Locked(ScreenState())
        self.state = state
        let kindName = kind == .blocks ? "blocks \(settings.symbols.rawValue) \(colors.rawValue)" : kind.rawValue
        let overlay = StatusOverlay(title: title, renderer: kindName, state: { state.value.status })
        let writer = TerminalVideoWriter(
            descriptor: STDOUT_FILENO, region: Self.videoRegion(size), configuration: configuration,
            overlay: { report in overlay.bytes(for: report) })
        self.writer = writer

        // Keys without Enter and without echo; Ctrl-C still raises SIGINT.
        var savedMode = termios()
        tcgetattr(STDIN_FILENO, &savedMode)
        self.savedMode = savedMode
        var mode = savedMode
        mode.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &mode.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(STDIN_FILENO, TCSANOW, &mode)
        writer.write(TerminalSequences.enterAlternateScreen + TerminalSequences.hideCursor + TerminalSequences.clearScreen)

        signal(SIGWINCH, SIG_IGN)
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH)
        self.resize = resize
        resize.setEventHandler {
            guard let size = TerminalWindowSize.current(descriptor: STDOUT_FILENO) else { return }
            writer.write(TerminalSequences.clearScreen)
            writer.setRegion(Self.videoRegion(size))
        }
        resize.resume()

        let thread = Thread { [state] in
            Thread.current.name = "view-keys"   // Linux applies a name set on the thread itself
            Self.readKeys(state: state)
        }
        thread.start()
    }

    /// All rows but the last (the status line).
    static func videoRegion(_ size: TerminalWindowSize) -> CellRect {
        CellRect(row: 0, column: 0, columns: size.columns, rows: max(1, size.rows - 1))
    }

    /// Hands a frame to the writer thread (returns at once; dropped if the terminal lags).
    func show(_ frame: I420Frame) {
        writer.submit(frame)
    }

    var statistics: TerminalVideoWriter.Statistics { writer.statistics }

    /// Seconds since the screen opened.
    var elapsedSeconds: Double { Date().timeIntervalSince(started) }

    /// Gives the terminal back: the writer stopped, attributes reset, the cursor shown, the
    /// alternate screen left, the keyboard mode restored. Safe to call twice.
    func close() {
        let wasClosed = state.update { state -> Bool in
            defer { state.closed = true }
            return state.closed
        }
        guard !wasClosed else { return }
        resize.cancel()
        writer.stop(clear: true)
        let restore = TerminalSequences.resetAttributes + TerminalSequences.showCursor + TerminalSequences.leaveAlternateScreen
        restore.withUnsafeBytes { _ = Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        var mode = savedMode
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &mode)
    }

    deinit {
        close()
    }

    /// Reads keys until the screen closes: q, Q, Esc, Ctrl-C quit. Escape sequences (a
    /// terminal's late answer to the capability query, an arrow key) are skipped whole, so
    /// only a lone Esc quits.
    private static func readKeys(state: Locked<ScreenState>) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        func readMore(waitingMilliseconds: Int32) -> Bool {
            var poller = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, waitingMilliseconds) > 0 else { return false }
            let count = read(STDIN_FILENO, &chunk, chunk.count)
            guard count > 0 else { usleep(100_000); return false }
            pending += chunk[0 ..< count]
            return true
        }
        while !state.value.closed {
            if pending.isEmpty, !readMore(waitingMilliseconds: 100) { continue }
            // An Esc at the end may start a sequence whose rest is still on its way.
            if pending.last == 0x1B { _ = readMore(waitingMilliseconds: 50) }
            if KeySequenceScanner.wantsToQuit(pending) {
                let action = state.update { state -> (@Sendable () -> Void)? in
                    guard !state.quitRequested else { return nil }
                    state.quitRequested = true
                    return state.onQuit
                }
                action?()
            }
            pending.removeAll(keepingCapacity: true)
        }
    }
}

/// Finds the keys that quit the view in what the terminal sent: q, Q, Ctrl-C, or an Esc that
/// starts no sequence. CSI and SS3 sequences (ESC [ … final, ESC O x) and string sequences
/// (ESC _ / ESC P / ESC ] … ST or BEL) are skipped whole.
enum KeySequenceScanner {
    static func wantsToQuit(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") || byte == 0x03 { return true }
            guard byte == 0x1B else { index += 1; continue }
            guard index + 1 < bytes.count else { return true }  // a lone Esc
            let kind = bytes[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "["):
                while index < bytes.count, !(0x40 ... 0x7E).contains(bytes[index]) { index += 1 }
                index += 1
            case UInt8(ascii: "O"):
                index += 1
            case UInt8(ascii: "_"), UInt8(ascii: "P"), UInt8(ascii: "]"):
                while index < bytes.count, bytes[index] != 0x07, !(bytes[index] == 0x1B && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\\")) {
                    index += 1
                }
                index += bytes.count > index && bytes[index] == 0x07 ? 1 : 2
            default:
                break  // Alt + a key: not a quit
            }
        }
        return false
    }
}

/// The status line, drawn by the writer thread after each frame (at most 4 times a second,
/// and only when its text changed): picture size, frames per second shown, renderer, bytes
/// per frame, render time, frames dropped, and the caller's words.
private final class StatusOverlay: @unchecked Sendable {
    let title: String
    let renderer: String
    let state: @Sendable () -> String
    private var frames: [(time: UInt64, bytes: Int)] = []
    private var lastText = ""
    private var lastDrawn: UInt64 = 0
    private var lastRegion: CellRect?

    init(title: String, renderer: String, state: @escaping @Sendable () -> String) {
        self.title = title
        self.renderer = renderer
        self.state = state
    }

    func bytes(for report: TerminalVideoWriter.FrameReport) -> [UInt8] {
        let now = DispatchTime.now().uptimeNanoseconds
        let statistics = report.statistics
        frames.append((now, statistics.lastFrameBytes))
        frames.removeAll { now - $0.time > 1_000_000_000 }
        let regionChanged = lastRegion != report.region
        guard regionChanged || now - lastDrawn >= 250_000_000 else { return [] }
        let perFrame = frames.isEmpty ? 0 : frames.reduce(0) { $0 + $1.bytes } / frames.count
        var parts = [
            title,
            "\(statistics.lastFrameWidth)x\(statistics.lastFrameHeight) in \(report.region.columns)x\(report.region.rows) cells",
            "\(frames.count) fps shown",
        ]
        let extra = state()
        if !extra.isEmpty { parts.append(extra) }
        parts += [
            renderer,
            String(format: "%.1f KB/frame", Double(perFrame) / 1000),
            String(format: "%.2f ms", Double(statistics.lastRenderNanoseconds) / 1e6),
            "dropped \(statistics.framesDropped)",
            "q quits",
        ]
        var text = " " + parts.joined(separator: " · ")
        let width = report.region.columns
        // One column per character here (ASCII and the arrow and dot, all narrow).
        if text.count > width { text = String(text.prefix(width)) }
        text += String(repeating: " ", count: max(0, width - text.count))
        guard regionChanged || text != lastText else { return [] }
        lastText = text
        lastDrawn = now
        lastRegion = report.region
        var bytes = Array("\u{1B}7\u{1B}[\(report.region.row + report.region.rows + 1);1H\u{1B}[0;7m".utf8)
        bytes += Array(text.utf8)
        bytes += Array("\u{1B}[0m\u{1B}8".utf8)
        return bytes
    }
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) {
        stored = value
    }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    @discardableResult
    func update<T>(_ change: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return change(&stored)
    }
}
