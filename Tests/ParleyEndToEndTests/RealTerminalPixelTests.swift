import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `parley view pattern` in real terminals that draw pixels, on a private Xvfb: `xterm -ti
/// vt340` (sixel) and `kitty` (the kitty graphics protocol, Mesa's software OpenGL). Screenshots
/// of the X screen must show the pattern's colour bars, in order, over the video pane's height;
/// what the terminal received (xterm's log) or shows as text (kitty's remote control) must
/// name the pixel renderer and hold no block characters; `--renderer auto` must pick the same
/// renderer; after SIGTERM parley exits 0 and the picture is gone.
///
/// Each view waits behind a FIFO until the terminal's window is mapped and painted (and
/// kitty's remote control answers), so the capability query is not raced by the terminal's
/// own start-up: a reply later than parley's 400 ms time-out is not only missed (auto falls
/// back to blocks) but then read as keys, its ESC ending the view.
@Suite("Pixels in a real terminal (Xvfb)", .serialized)
struct RealTerminalPixelTests {
    @Test("xterm -ti vt340 draws the pattern in sixel, asked for and chosen by auto",
          .timeLimit(.minutes(2)),
          .enabled(if: RealTerminalTools.missing(["Xvfb", "xterm", "import", "convert", "xwininfo"]).isEmpty,
                   "Xvfb, xterm, ImageMagick or xwininfo is not installed (make deps installs them)"))
    func xtermSixel() throws {
        let workspace = try PixelTestWorkspace()
        var xvfb: XvfbServer?
        var terminal: SpawnedProcess?
        defer {
            terminal?.stop()
            xvfb?.stop()
            workspace.cleanup()
        }
        let display = try XvfbServer(logDirectory: workspace.url)
        xvfb = display
        let script = try workspace.viewScript(runs: [("explicit", "sixel"), ("auto", "auto")])
        let log = workspace.url.appending(path: "xterm-output.log").path
        terminal = try SpawnedProcess(
            ["xterm", "-ti", "vt340", "-geometry", "80x24+0+0", "-fn", "fixed", "-class", PixelTestWorkspace.windowClass,
             "-l", "-lf", log, "-e", "/bin/sh", script],
            environment: workspace.environment(display: display), output: workspace.url.appending(path: "xterm.log").path)
        let window = try TerminalWindow.waitForMappedWindow(display: display, process: terminal!)
        try workspace.waitForTerminalDrawn(display: display, window: window, process: terminal!)

        for run in ["explicit", "auto"] {
            let logStart = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
            let outcome = try workspace.showAndCheckPicture(run: run, renderer: "sixel", display: display, window: window) {
                // What xterm received since this view started: sixel images and the status line.
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: log)))?.dropFirst(logStart) ?? Data()
                return String(decoding: bytes, as: UTF8.self)
            }
            let received = outcome.terminalText
            #expect(received.range(of: "\u{1B}P[0-9;]*q", options: .regularExpression) != nil, "a sixel image (DCS … q) was sent")
            #expect(!received.unicodeScalars.contains { (0x2580 ... 0x259F).contains($0.value) }, "no half blocks or quadrants were sent")
            #expect(outcome.paneCells?.columns == 80 && outcome.paneCells?.rows == 23, "the pane is the 80x24 window less the status line")
            #expect(outcome.rendererInSummary == "sixel", "\(run): parley says it drew with \(outcome.rendererInSummary)")
        }
    }

    @Test("kitty draws the pattern with the kitty graphics protocol, asked for and chosen by auto",
          .timeLimit(.minutes(2)),
          .enabled(if: RealTerminalTools.missing(["Xvfb", "kitty", "import", "convert", "xwininfo"]).isEmpty,
                   "Xvfb, kitty, ImageMagick or xwininfo is not installed (make deps installs them)"))
    func kittyGraphics() throws {
        let workspace = try PixelTestWorkspace()
        var xvfb: XvfbServer?
        var terminal: SpawnedProcess?
        defer {
            terminal?.stop()
            xvfb?.stop()
            workspace.cleanup()
        }
        let display = try XvfbServer(logDirectory: workspace.url)
        xvfb = display
        let script = try workspace.viewScript(runs: [("explicit", "kitty"), ("auto", "auto")])
        let socket = workspace.url.appending(path: "kitty.sock").path
        var environment = workspace.environment(display: display)
        environment["LIBGL_ALWAYS_SOFTWARE"] = "1"
        terminal = try SpawnedProcess(
            ["kitty", "--config", "NONE", "--class", PixelTestWorkspace.windowClass,
             "-o", "initial_window_width=640", "-o", "initial_window_height=400", "-o", "remember_window_size=no",
             "-o", "linux_display_server=x11", "-o", "allow_remote_control=yes", "-o", "shell_integration=disabled",
             "-o", "confirm_os_window_close=0", "-o", "update_check_interval=0",
             "--listen-on", "unix:\(socket)", "/bin/sh", script],
            environment: environment, output: workspace.url.appending(path: "kitty.log").path)
        let window = try TerminalWindow.waitForMappedWindow(display: display, process: terminal!)
        #expect(window.width == 640 && window.height == 400, "kitty's window is the size asked for: \(window)")
        // Its remote control answers: the main loop runs and will answer the capability query at once.
        let kitty = KittyRemote(socket: socket, environment: environment)
        try waitUntil(timeout: 60, "kitty's remote control answers") { terminal!.isRunning ? kitty.screenText() != nil : true }
        try #require(terminal!.isRunning, "kitty is running")
        try workspace.waitForTerminalDrawn(display: display, window: window, process: terminal!)

        for run in ["explicit", "auto"] {
            let outcome = try workspace.showAndCheckPicture(run: run, renderer: "kitty", display: display, window: window) {
                // The screen's text as kitty holds it.
                kitty.screenText() ?? ""
            }
            let rows = outcome.terminalText.components(separatedBy: "\n")
            let statusRow = rows.lastIndex { $0.contains(" · kitty · ") } ?? 0
            #expect(!rows[..<statusRow].joined().unicodeScalars.contains { (0x2580 ... 0x259F).contains($0.value) },
                    "the picture's cells hold no half blocks or quadrants")
            #expect(outcome.paneCells.map { $0.rows == statusRow } ?? false, "the status line is right under the pane")
            #expect(outcome.rendererInSummary == "kitty", "\(run): parley says it drew with \(outcome.rendererInSummary)")
        }
    }
}

/// Which of the programs the suite drives are missing from PATH.
enum RealTerminalTools {
    static func missing(_ names: [String]) -> [String] {
        names.filter { path(of: $0) == nil }
    }

    static func path(of name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A temporary directory with everything one test writes: HOME and XDG directories for the
/// terminal, the view script, its FIFO gate, parley's exit statuses and summaries, screenshots.
struct PixelTestWorkspace {
    static let windowClass = "ParleyPixelTest"
    let url: URL

    init() throws {
        url = URL(fileURLWithPath: "/tmp").appending(path: "parley-pixels-\(UUID().uuidString.prefix(8))")
        for directory in ["home", "home/.config", "home/.cache", "home/.local/share", "runtime"] {
            try FileManager.default.createDirectory(at: url.appending(path: directory), withIntermediateDirectories: true)
        }
        chmod(url.appending(path: "runtime").path, 0o700)
        guard mkfifo(url.appending(path: "gate").path, 0o600) == 0 else {
            throw CommandFailed(status: errno, stderr: "mkfifo failed")
        }
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }

    /// A clean environment: nothing of the user's HOME, terminal or tmux leaks in.
    func environment(display: XvfbServer) -> [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": url.appending(path: "home").path,
            "XDG_CONFIG_HOME": url.appending(path: "home/.config").path,
            "XDG_CACHE_HOME": url.appending(path: "home/.cache").path,
            "XDG_DATA_HOME": url.appending(path: "home/.local/share").path,
            "XDG_RUNTIME_DIR": url.appending(path: "runtime").path,
            "DISPLAY": display.name,
            "LANG": "C.UTF-8",
        ]
    }

    /// A shell script run by the terminal: for each run, waits for a line on the FIFO gate,
    /// then runs `parley view pattern --renderer RENDERER` in the foreground (its PID in
    /// RUN.pid, its stderr in RUN.err, its exit status in RUN.status); at the end waits on the
    /// gate again, so the terminal stays open until it is stopped.
    func viewScript(runs: [(name: String, renderer: String)]) throws -> String {
        let directory = url.path
        // A block in colour 105 of the 256 (135,135,255): once it is on the screen, the terminal has drawn.
        var script = "#!/bin/sh\ncd '\(directory)' || exit 1\nprintf '\\033[48;5;105m%s\\033[0m\\n' '                '\n"
        for run in runs {
            script += """
                read go < gate
                sh -c 'echo $$ > \(run.name).pid; exec "$0" view pattern --renderer \(run.renderer) --seconds 60 2> \(run.name).err' '\(parleyExecutable.path)'
                echo $? > \(run.name).status.tmp && mv \(run.name).status.tmp \(run.name).status

                """
        }
        script += "read go < gate\n"
        let path = url.appending(path: "view.sh").path
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The colour of the block the script prints first.
    static let readyColour = ColourGrid.RGB(r: 135, g: 135, b: 255)

    /// Waits until the terminal has drawn the script's first block: its window is not only
    /// mapped but painted (kitty has compiled its shaders on Mesa's software OpenGL, which
    /// can take a while the first time), so it will answer parley's queries at once.
    func waitForTerminalDrawn(display: XvfbServer, window: TerminalWindow, process: SpawnedProcess) throws {
        let whole = PixelRect(x: window.x, y: window.y, width: window.width, height: window.height)
        try waitUntil(timeout: 60, "the terminal draws its first line") {
            guard process.isRunning else { throw CommandFailed(status: -1, stderr: "the terminal exited at start-up") }
            return try display.screenshot(of: whole, workspace: self).count(of: Self.readyColour, tolerance: 24) >= 10
        }
    }

    /// Lets the script go on: opens the FIFO once its reader is there, writes a line.
    func openGate(timeout: TimeInterval = 15) throws {
        let path = url.appending(path: "gate").path
        var descriptor: Int32 = -1
        try waitUntil(timeout: timeout, "the view script waits on its gate") {
            descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            return descriptor >= 0
        }
        defer { close(descriptor) }
        _ = write(descriptor, "go\n", 3)
    }

    struct RunOutcome {
        /// The terminal's text that named the renderer (xterm: bytes received; kitty: its screen).
        let terminalText: String
        /// Columns and rows of the video pane, from the status line ("… in 80x23 cells …").
        let paneCells: (columns: Int, rows: Int)?
        /// The renderer parley names in its summary on stderr.
        let rendererInSummary: String
    }

    /// Starts the view RUN, waits until the terminal's text (`terminalText`) has the status
    /// line naming `renderer` and a screenshot shows the colour bars over the pane, stops
    /// parley with SIGTERM, checks it exited 0 having shown frames, and waits for the picture
    /// to go away.
    func showAndCheckPicture(run: String, renderer: String, display: XvfbServer, window: TerminalWindow,
                             terminalText: () -> String) throws -> RunOutcome {
        let started = Date()
        try openGate()
        let statusFile = url.appending(path: "\(run).status").path
        let summaryFile = url.appending(path: "\(run).err").path
        func endedEarly() throws {
            if FileManager.default.fileExists(atPath: statusFile) {
                let summary = (try? String(contentsOfFile: summaryFile, encoding: .utf8)) ?? ""
                throw CommandFailed(status: -1, stderr: "parley view (\(run)) ended before the picture was seen: \(summary)")
            }
        }
        // The status line, which also tells the pane's size in cells.
        var text = ""
        do {
            try waitUntil(timeout: 20, "\(run): the terminal shows the status line naming \(renderer)") {
                try endedEarly()
                text = terminalText()
                return text.contains(" · \(renderer) · ")
            }
        } catch {
            let statusLines = text.components(separatedBy: CharacterSet(charactersIn: "\n\u{1B}")).filter { $0.contains("fps shown") }
            Issue.record("\(run): the last status line seen: \(statusLines.last ?? "none")")
            throw error
        }
        let paneCells = Self.paneCells(in: text)
        let pane = window.pane(rows: paneCells?.rows ?? 23)
        // The pattern's bars on the screen.
        var last = ColourGrid.empty
        do {
            try waitUntil(timeout: 20, "\(run): the colour bars on the screen") {
                try endedEarly()
                last = try display.screenshot(of: pane, workspace: self)
                return last.barRowsFraction >= 0.6
            }
        } catch {
            Issue.record("\(run): bars seen in \(Int(last.barRowsFraction * 100)) % of the pane's rows, 60 % needed; the pane \(pane) as seen (Y C G M R B = bars, . = other):\n\(last.map)")
            throw error
        }
        let seenAfter = Date().timeIntervalSince(started)
        // Stopped by SIGTERM: exits 0 and gives the terminal back.
        let pidText = try String(contentsOfFile: url.appending(path: "\(run).pid").path, encoding: .utf8)
        let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, SIGTERM) == 0)
        try waitUntil(timeout: 15, "\(run): parley view ends after SIGTERM") { FileManager.default.fileExists(atPath: statusFile) }
        let status = try String(contentsOfFile: statusFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let summary = try String(contentsOfFile: summaryFile, encoding: .utf8)
        #expect(status == "0", "\(run): parley view exit status \(status): \(summary)")
        // "pattern: 41 frames shown in 4.0 s (10.2 fps), 78 dropped, sixel, 41446 bytes/frame on average"
        let parts = summary.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: ", ")
        let framesShown = summary.split(separator: ":").dropFirst().first.flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
        #expect(framesShown > 0, "\(run): \(summary)")
        do {
            try waitUntil(timeout: 10, "\(run): the picture is gone after parley exits") {
                last = try display.screenshot(of: pane, workspace: self)
                return last.barSampleFraction < 0.01
            }
        } catch {
            Issue.record("\(run): after exit, the pane still shows (Y C G M R B = bars):\n\(last.map)")
            throw error
        }
        print("\(run): bars seen \(String(format: "%.1f", seenAfter)) s after the view was started; \(summary.trimmingCharacters(in: .whitespacesAndNewlines))")
        return RunOutcome(terminalText: text, paneCells: paneCells, rendererInSummary: parts.count >= 3 ? parts[2] : summary)
    }

    /// "… 640x480 in 80x23 cells …" → (80, 23).
    static func paneCells(in text: String) -> (columns: Int, rows: Int)? {
        guard let range = text.range(of: "in [0-9]+x[0-9]+ cells", options: .regularExpression) else { return nil }
        let numbers = text[range].dropFirst(3).dropLast(6).split(separator: "x").compactMap { Int($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }
}

/// A private X server: `Xvfb` on a display number nothing else uses (100–999), ready once
/// its socket exists; stopped by PID.
final class XvfbServer {
    let display: Int
    private let process: SpawnedProcess
    var name: String { ":\(display)" }

    init(logDirectory: URL) throws {
        var tried: [Int] = []
        while tried.count < 20 {
            let number = Int.random(in: 100 ... 999)
            guard !tried.contains(number) else { continue }
            tried.append(number)
            guard !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)"),
                  !FileManager.default.fileExists(atPath: "/tmp/.X\(number)-lock") else { continue }
            let process = try SpawnedProcess(
                ["Xvfb", ":\(number)", "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-noreset"],
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                output: logDirectory.appending(path: "xvfb-\(number).log").path)
            try waitUntil(timeout: 20, "Xvfb :\(number) listens") {
                !process.isRunning || FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)")
            }
            if process.isRunning {
                display = number
                self.process = process
                return
            }
            process.stop()  // it lost a race for the number: try another
        }
        throw CommandFailed(status: -1, stderr: "Xvfb did not start on any of displays \(tried)")
    }

    func stop() {
        process.stop()
        // Killed hard, it leaves its lock and socket behind: the number was free, so they are its.
        try? FileManager.default.removeItem(atPath: "/tmp/.X11-unix/X\(display)")
        try? FileManager.default.removeItem(atPath: "/tmp/.X\(display)-lock")
    }

    /// The screen inside `rect`, averaged down to one sample per 4x4 pixels.
    func screenshot(of rect: PixelRect, workspace: PixelTestWorkspace) throws -> ColourGrid {
        let shot = workspace.url.appending(path: "screen.png").path
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "DISPLAY": name]
        try runTool(["import", "-window", "root", "PNG24:\(shot)"], environment: environment)
        let columns = max(1, rect.width / 4), rows = max(1, rect.height / 4)
        let text = try runTool(["convert", shot, "-crop", "\(rect.width)x\(rect.height)+\(rect.x)+\(rect.y)", "+repage",
                                "-scale", "\(columns)x\(rows)!", "-depth", "8", "txt:-"], environment: environment)
        return ColourGrid(imageMagickText: text, columns: columns, rows: rows)
    }
}

struct PixelRect: CustomStringConvertible {
    var x, y, width, height: Int
    var description: String { "\(width)x\(height)+\(x)+\(y)" }
}

/// The terminal's top-level window on the X screen (found by its class).
struct TerminalWindow: CustomStringConvertible {
    let id: String
    let x, y, width, height: Int
    var description: String { "\(id) \(width)x\(height)+\(x)+\(y)" }

    /// The video pane: the window's top `rows / (rows + 1)` (the last row is the status line).
    func pane(rows: Int) -> PixelRect {
        PixelRect(x: x, y: y, width: width, height: height * rows / (rows + 1))
    }

    /// Waits until a window of class `PixelTestWorkspace.windowClass` is mapped.
    static func waitForMappedWindow(display: XvfbServer, process: SpawnedProcess) throws -> TerminalWindow {
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "DISPLAY": display.name]
        var found: TerminalWindow?
        try waitUntil(timeout: 60, "the terminal's window is mapped") {
            guard process.isRunning else { throw CommandFailed(status: -1, stderr: "the terminal exited at start-up") }
            // 0x20000c "sh": ("xterm" "ParleyPixelTest")  484x316+0+0  +0+0
            let tree = try runTool(["xwininfo", "-root", "-tree"], environment: environment)
            guard let line = tree.split(separator: "\n").first(where: { $0.contains("\"\(PixelTestWorkspace.windowClass)\")") }) else {
                return false
            }
            let words = line.split(separator: " ")
            guard let id = words.first,
                  let geometry = words.last(where: { $0.range(of: "^[0-9]+x[0-9]+[+-]", options: .regularExpression) != nil }),
                  let absolute = words.last else { return false }
            let size = geometry.split(separator: "+").first?.split(separator: "x").compactMap { Int($0) } ?? []
            let origin = absolute.split(separator: "+").compactMap { Int($0) }
            guard size.count == 2, origin.count == 2 else { return false }
            let info = try runTool(["xwininfo", "-id", String(id)], environment: environment)
            guard info.contains("IsViewable") else { return false }
            found = TerminalWindow(id: String(id), x: origin[0], y: origin[1], width: size[0], height: size[1])
            return true
        }
        return found!
    }
}

/// kitty's remote control over its socket.
struct KittyRemote {
    let socket: String
    let environment: [String: String]

    /// The screen's text, or nil when kitty does not answer.
    func screenText() -> String? {
        try? runTool(["kitty", "@", "--to", "unix:\(socket)", "get-text", "--extent", "screen"], environment: environment)
    }
}

/// A screenshot averaged down to a grid of colours; each sample can be classified as one of
/// the pattern's saturated bars (75 % BT.601 colour bars: 191 or 0 per channel) or none.
struct ColourGrid {
    struct RGB: Equatable {
        var r, g, b: Int

        /// The largest difference in any channel.
        func distance(to other: RGB) -> Int { max(abs(r - other.r), abs(g - other.g), abs(b - other.b)) }
    }

    enum Bar: Int, CaseIterable {
        case yellow, cyan, green, magenta, red, blue
        var colour: RGB {
            switch self {
            case .yellow: RGB(r: 191, g: 191, b: 0)
            case .cyan: RGB(r: 0, g: 191, b: 191)
            case .green: RGB(r: 0, g: 191, b: 0)
            case .magenta: RGB(r: 191, g: 0, b: 191)
            case .red: RGB(r: 191, g: 0, b: 0)
            case .blue: RGB(r: 0, g: 0, b: 191)
            }
        }
        var letter: Character { Array("YCGMRB")[rawValue] }
    }

    /// Largest difference in any channel for a sample to count as a bar (sixel in xterm's
    /// 16 colour registers dithers the bars; averaging 4x4 pixels brings them back near 191).
    static let tolerance = 64
    static let empty = ColourGrid(colours: [])

    /// colours[row][column]
    let colours: [[RGB]]
    /// The same grid classified.
    let bars: [[Bar?]]

    init(colours: [[RGB]]) {
        self.colours = colours
        bars = colours.map { row in
            row.map { colour in
                Bar.allCases.map { ($0, colour.distance(to: $0.colour)) }.filter { $0.1 <= Self.tolerance }.min { $0.1 < $1.1 }?.0
            }
        }
    }

    /// Parses `convert … txt:-` ("x,y: (r,g,b)  #RRGGBB  srgb(…)").
    init(imageMagickText text: String, columns: Int, rows: Int) {
        var grid = [[RGB]](repeating: [RGB](repeating: RGB(r: 0, g: 0, b: 0), count: columns), count: rows)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":"), let hash = line.firstIndex(of: "#") else { continue }
            let position = line[..<colon].split(separator: ",").compactMap { Int($0) }
            let hex = line[line.index(after: hash)...].prefix(6)
            guard position.count == 2, position[0] < columns, position[1] < rows, hex.count == 6, let value = Int(hex, radix: 16) else { continue }
            grid[position[1]][position[0]] = RGB(r: value >> 16, g: (value >> 8) & 0xFF, b: value & 0xFF)
        }
        self.init(colours: grid)
    }

    /// How many samples are within `tolerance` of `colour`.
    func count(of colour: RGB, tolerance: Int) -> Int {
        colours.reduce(0) { $0 + $1.filter { $0.distance(to: colour) <= tolerance }.count }
    }

    /// Whether a row shows all six bars, each at least two samples wide, left to right in
    /// the pattern's order.
    static func rowShowsBars(_ row: [Bar?]) -> Bool {
        var centres: [Int] = []
        for bar in Bar.allCases {
            let columns = row.indices.filter { row[$0] == bar }
            guard columns.count >= 2 else { return false }
            centres.append(columns[columns.count / 2])
        }
        return zip(centres, centres.dropFirst()).allSatisfy { $0 < $1 }
    }

    /// The share of the grid's rows that show the six bars in order.
    var barRowsFraction: Double {
        bars.isEmpty ? 0 : Double(bars.filter(Self.rowShowsBars).count) / Double(bars.count)
    }

    /// The share of samples of any bar colour.
    var barSampleFraction: Double {
        let all = bars.reduce(0) { $0 + $1.count }
        return all == 0 ? 0 : Double(bars.reduce(0) { $0 + $1.filter { $0 != nil }.count }) / Double(all)
    }

    /// The grid as letters, for failure messages.
    var map: String {
        bars.map { String($0.map { $0?.letter ?? "." }) }.joined(separator: "\n")
    }
}

/// A process the test started, in a process group of its own; `stop()` ends it and every
/// process it started (children that made their own sessions included), each by PID.
final class SpawnedProcess {
    let pid: pid_t
    private var exited = false

    init(_ arguments: [String], environment: [String: String], output: String) throws {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        sigemptyset(&empty)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw CommandFailed(status: result, stderr: "cannot start \(arguments[0])") }
        self.pid = pid
    }

    var isRunning: Bool {
        guard !exited else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exited = true }
        return !exited
    }

    /// SIGTERM to it, SIGKILL after 3 s; then SIGKILL to whatever it had started that is
    /// still there (checked by PID and start time, so a reused PID is never hit).
    func stop() {
        guard isRunning else { return }
        let descendants = Self.descendants(of: pid)
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(3)
        while isRunning, Date() < deadline { usleep(20_000) }
        if isRunning {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            exited = true
        }
        for process in descendants where Self.startTime(of: process.pid) == process.startTime {
            kill(process.pid, SIGKILL)
        }
    }

    /// Every process below `root` now, with its start time (/proc/PID/stat field 22).
    static func descendants(of root: pid_t) -> [(pid: pid_t, startTime: String)] {
        var parents: [pid_t: [pid_t]] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), let fields = statFields(of: pid), fields.count > 1, let parent = pid_t(fields[1]) else { continue }
            parents[parent, default: []].append(pid)
        }
        var result: [(pid: pid_t, startTime: String)] = []
        var queue = parents[root] ?? []
        while let pid = queue.popLast() {
            if let start = startTime(of: pid) { result.append((pid, start)) }
            queue += parents[pid] ?? []
        }
        return result
    }

    static func startTime(of pid: pid_t) -> String? {
        guard let fields = statFields(of: pid), fields.count > 19 else { return nil }
        return fields[19]
    }

    /// The fields of /proc/PID/stat after the command name: state, ppid, … (field 3 on).
    private static func statFields(of pid: pid_t) -> [String]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").map(String.init)
    }
}

/// Runs a tool to completion; its standard output, or an error with its stderr.
@discardableResult
func runTool(_ arguments: [String], environment: [String: String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.environment = environment
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // The tools used here write little to stderr: reading it after stdout cannot block them.
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CommandFailed(status: process.terminationStatus,
                            stderr: "\(arguments.joined(separator: " ")): \(String(decoding: errorData, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}
