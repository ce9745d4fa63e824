import ArgumentParser
import Foundation
import ParleyMedia
import ParleyTerminalVideo

/// `parley view SOURCE`: a video source drawn in the terminal, as calls draw the remote video.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Show a video source in the terminal (test pattern, Y4M file, camera).",
        discussion: """
            SOURCE: pattern[:WIDTHxHEIGHT] (a moving test pattern), y4m:PATH (loops), v4l2:/dev/videoN. \
            The picture fills the terminal above a status line (size, frames per second shown, renderer, \
            bytes per frame); q, Esc or Ctrl-C quits and gives the terminal back. --renderer auto asks the \
            terminal what it can draw: kitty graphics, else sixel, else Unicode half blocks (always blocks \
            inside tmux); --colors defaults to truecolor when COLORTERM says so, 256 otherwise.
            """)

    @Argument(help: ArgumentHelp("The video source.", valueName: "SOURCE")) var source: String

    @Option(help: ArgumentHelp("auto, kitty, sixel or blocks.", valueName: "RENDERER"),
            completion: .list(VideoRendererChoice.allCases.map(\.rawValue)))
    var renderer: String = VideoRendererChoice.auto.rawValue

    @Option(help: ArgumentHelp("truecolor or 256 (blocks).", valueName: "COLORS"), completion: .list(["truecolor", "256"]))
    var colors: String?

    @Option(help: ArgumentHelp("half (▀, two pixels a cell) or quadrants (four) for blocks.", valueName: "SYMBOLS"),
            completion: .list(BlockSymbols.allCases.map(\.rawValue)))
    var symbols: String = BlockSymbols.halfBlocks.rawValue

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "S")) var seconds: Double?

    @Option(name: .customLong("frame-rate"), help: ArgumentHelp("Frames per second of the pattern and the camera.", valueName: "FPS"))
    var frameRate = 30

    @Flag(help: .hidden) var bench = false
    @Option(help: .hidden) var size: String = "80x24"
    @Option(help: .hidden) var frames: Int = 150
    @Option(help: .hidden) var tolerance: Int?

    func validate() throws {
        guard VideoRendererChoice(rawValue: renderer) != nil else { throw ValidationError("--renderer is auto, kitty, sixel or blocks") }
        if let colors, TerminalColorMode(parsing: colors) == nil { throw ValidationError("--colors is truecolor or 256") }
        guard BlockSymbols(rawValue: symbols) != nil else { throw ValidationError("--symbols is half or quadrants") }
        if let seconds, let problem = StreamLimits.durationProblem(seconds, option: "--seconds") { throw ValidationError(problem) }
        guard (1 ... 120).contains(frameRate) else { throw ValidationError("--frame-rate is 1 to 120") }
        guard (1 ... 100_000).contains(frames) else { throw ValidationError("--frames is 1 to 100000") }
        if let tolerance, !(0 ... 255).contains(tolerance) { throw ValidationError("--tolerance is 0 to 255") }
        if bench { _ = try Self.parseSize(size) }
        do { _ = try VideoSourceSpecifier(parsing: source) } catch { throw ValidationError("\(error)") }
    }

    static func parseSize(_ text: String) throws -> (columns: Int, rows: Int) {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (1 ... 1000).contains(parts[0]), (1 ... 1000).contains(parts[1]) else {
            throw ValidationError("--size is COLUMNSxROWS, 1 to 1000 each")
        }
        return (parts[0], parts[1])
    }

    func run() throws {
        let specifier = try VideoSourceSpecifier(parsing: source)
        let choice = VideoRendererChoice(rawValue: renderer) ?? .auto
        let colorMode = colors.flatMap { TerminalColorMode(parsing: $0) }
        let blockSymbols = BlockSymbols(rawValue: symbols) ?? .halfBlocks
        if bench {
            try ViewBenchmark.run(
                specifier, size: try Self.parseSize(size), frames: frames, renderer: choice, colors: colorMode ?? .trueColor, symbols: blockSymbols,
                tolerance: tolerance ?? BlockVideoRenderer.Options.defaultColorTolerance)
            return
        }
        // Open the source first: a missing camera or file fails before the terminal changes.
        let opened: any VideoSource
        do {
            opened = try specifier.open(frameRate: frameRate)
        } catch {
            throw CommandFailure("\(error)")
        }
        let screen = try TerminalVideoScreen(
            settings: .init(renderer: choice, colors: colorMode, symbols: blockSymbols), title: source)
        let stop = ViewStop()
        screen.onQuit { stop.request() }
        let signals = SignalHandlers([SIGINT, SIGTERM, SIGHUP]) { _ in stop.request() }
        defer {
            signals.cancel()
            screen.close()
        }
        let sourceBox = UncheckedBox(opened)
        let failure = Locked<String?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            Thread.current.name = "view-source"   // Linux applies a name set on the thread itself
            defer { finished.signal() }
            do {
                while !stop.isRequested, let captured = try sourceBox.value.nextFrameBlocking() {
                    screen.show(captured.frame)
                }
            } catch {
                failure.update { $0 = "\(error)" }
            }
            stop.request()
        }
        thread.start()
        let deadline = seconds.map { Date(timeIntervalSinceNow: $0) }
        while !stop.isRequested {
            if let deadline, Date() >= deadline { break }
            usleep(50_000)
        }
        stop.request()
        _ = finished.wait(timeout: .now() + 2)
        let statistics = screen.statistics
        let elapsed = screen.elapsedSeconds
        screen.close()
        let perFrame = statistics.framesRendered > 0 ? statistics.bytesWritten / statistics.framesRendered : 0
        FileHandle.standardError.write(Data(String(
            format: "%@: %d frames shown in %.1f s (%.1f fps), %d dropped, %@, %d bytes/frame on average\n",
            source, statistics.framesRendered, elapsed, Double(statistics.framesRendered) / max(elapsed, 0.001),
            statistics.framesDropped, screen.kind.rawValue, perFrame).utf8))
        if let message = failure.value { throw CommandFailure(message) }
    }
}

/// Set once to end `parley view`.
final class ViewStop: Sendable {
    private let flag = Locked(false)
    func request() { flag.update { $0 = true } }
    var isRequested: Bool { flag.value }
}

/// Hands a non-Sendable value to the one thread that uses it from then on.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
