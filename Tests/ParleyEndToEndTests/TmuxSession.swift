import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program running in a detached tmux session on a private socket: keys
/// are sent with `send-keys`, the screen read back with `capture-pane`.
final class TmuxSession {
    let socket: String
    let name = "parley-ui"
    /// The tmux server and the pane's first process: killed by `kill()` whatever happened to
    /// the socket (a test's folder may be gone by then).
    private var serverPID: pid_t = 0
    private var panePID: pid_t = 0

    /// Starts `command` (a shell command line) in a `columns`×`rows` window.
    init(socket: String, columns: Int, rows: Int, command: String) throws {
        self.socket = socket
        // The tmux server forks off from this first client; Foundation's Process never sees that
        // client end (it stays a zombie), so spawn and reap it directly.
        try Self.spawnAndWait(["tmux", "-S", socket, "new-session", "-d", "-s", name, "-x", "\(columns)",
                               "-y", "\(rows)", command])
        let pids = (try? tmux(["display-message", "-p", "-t", name, "#{pid} #{pane_pid}"]))?
            .split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) } ?? []
        if pids.count == 2 { (serverPID, panePID) = (pids[0], pids[1]) }
    }

    /// Types text literally (no key names), then optionally Enter.
    func type(_ text: String, enter: Bool = true) throws {
        try tmux(["send-keys", "-t", name, "-l", text])
        if enter { try press("Enter") }
    }

    /// Sends key names (`Enter`, `Tab`, `F2`, `M-y`…).
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    /// The screen as text, one string per row.
    func screen() throws -> [String] {
        try tmux(["capture-pane", "-t", name, "-p"]).components(separatedBy: "\n").dropLast().map { $0 }
    }

    /// The screen with its colours and attributes as SGR sequences (`capture-pane -e`).
    func screenWithColors() throws -> String {
        try tmux(["capture-pane", "-t", name, "-p", "-e"])
    }

    /// The title the program gave its window (tmux keeps it as the pane title).
    func paneTitle() throws -> String {
        try tmux(["display-message", "-p", "-t", name, "#{pane_title}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// Whether the program is in the alternate screen (curses mode).
    func alternateScreenOn() throws -> Bool {
        try tmux(["display-message", "-p", "-t", name, "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// Waits until some row of the screen satisfies `condition`.
    func waitForScreen(_ what: String, timeout: TimeInterval = 20, _ condition: ([String]) -> Bool) throws {
        try waitUntil(timeout: timeout, what) { condition(try screen()) }
    }

    /// Ends the session: tmux's kill-server, then, for whatever still runs after two
    /// seconds, SIGKILL to the pane's process group and the server.
    func kill() {
        try? Self.spawnAndWait(["tmux", "-S", socket, "kill-server"])
        let deadline = Date().addingTimeInterval(2)
        func alive(_ pid: pid_t) -> Bool { pid > 0 && Glibc.kill(pid, 0) == 0 }
        while (alive(serverPID) || alive(panePID)) && Date() < deadline { usleep(20_000) }
        if alive(panePID) { _ = Glibc.kill(-panePID, SIGKILL) }
        if alive(serverPID) { _ = Glibc.kill(serverPID, SIGKILL) }
    }

    private static func spawnAndWait(_ arguments: [String]) throws {
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in Int32(0)...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        guard posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ) == 0 else {
            throw CommandFailed(status: -1, stderr: "cannot start \(arguments[0])")
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw CommandFailed(status: status, stderr: arguments.joined(separator: " ")) }
    }

    @discardableResult
    private func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-S", socket] + arguments
        let output = Pipe()
        process.standardOutput = capture ? output : FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = capture ? output.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(status: process.terminationStatus, stderr: "tmux \(arguments.joined(separator: " "))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
