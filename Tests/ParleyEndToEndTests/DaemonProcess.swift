import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `parley daemon` running as a real process on loopback, with its own profile.
final class DaemonProcess: @unchecked Sendable {
    let home: TemporaryHome
    private(set) var port: Int
    private var started = false
    private(set) var process: Process?
    private(set) var log: URL
    /// With a value, the daemon is started by `sh -c "LIMIT && exec parley …"`, e.g. `ulimit -n 1024`.
    let shellLimit: String?
    /// With a value, the daemon runs as `WRAPPER… parley daemon …`, e.g. `ip netns exec NS`.
    let wrapper: [String]?
    /// The address the daemon listens on: loopback unless told (0.0.0.0 in a network namespace).
    let listenHost: String

    /// A node with a fresh profile (or `home`) listening on a free loopback port.
    init(name: String, home: TemporaryHome? = nil, shellLimit: String? = nil, wrapper: [String]? = nil,
         listenHost: String = "127.0.0.1") throws {
        self.shellLimit = shellLimit
        self.wrapper = wrapper
        self.listenHost = listenHost
        self.home = try home ?? TemporaryHome()
        port = try freeLoopbackPort()
        log = self.home.url.appending(path: "daemon.log")
        try self.home.parley("id", "--set-name", name)
    }

    var address: String { listenHost.contains(":") ? "[\(listenHost)]:\(port)" : "\(listenHost):\(port)" }

    func contactID() throws -> String { try home.contactID() }

    /// Starts the daemon and waits until its control socket answers. On the
    /// first start, a port another test grabbed in the meantime is replaced.
    func start() throws {
        for attempt in 1...3 {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            let arguments = ["daemon", "--home", home.path, "--listen", address, "--log-level", "debug"]
            if let shellLimit {
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "\(shellLimit) && exec \"$0\" \"$@\"", parleyExecutable.path] + arguments
            } else if let wrapper, let first = wrapper.first {
                process.executableURL = URL(fileURLWithPath: first)
                process.arguments = Array(wrapper.dropFirst()) + [parleyExecutable.path] + arguments
            } else {
                process.executableURL = parleyExecutable
                process.arguments = arguments
            }
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            self.process = process
            try waitUntil(timeout: 60, "daemon \(home.path) answers") {
                !process.isRunning || (try? self.home.parley("status", "--json"))?.status == 0
            }
            if process.isRunning {
                started = true
                return
            }
            self.process = nil
            guard !started, attempt < 3, logText.contains("cannot listen") else {
                throw CommandFailed(status: process.terminationStatus, stderr: logText)
            }
            port = try freeLoopbackPort()
        }
    }

    /// Kills the daemon without warning (SIGKILL) and waits for it to be gone.
    func kill() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Freezes the daemon (SIGSTOP): its sockets stay open but nothing answers, like a dead network.
    func freeze() {
        if let process { Glibc.kill(process.processIdentifier, SIGSTOP) }
    }

    func thaw() {
        if let process { Glibc.kill(process.processIdentifier, SIGCONT) }
    }

    /// Stops the daemon politely (SIGTERM) and returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process else { return 0 }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    func cleanup() {
        thaw()
        kill()
        // Keep the log for post-mortems (CI prints nothing of it unless asked).
        let logs = URL(fileURLWithPath: "/tmp/parley-test-logs")
        try? FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try? FileManager.default.copyItem(at: log, to: logs.appending(path: "\(home.url.lastPathComponent).log"))
        home.cleanup()
    }

    @discardableResult
    func parley(_ arguments: String..., input: String? = nil) throws -> CommandResult {
        try runParley(arguments + ["--home", home.path], input: input)
    }

    /// Whether `name` shows as online in `parley status`.
    func isOnline(_ name: String) throws -> Bool {
        let status = try parley("status", "--json").json as? [String: Any]
        let contacts = status?["contacts"] as? [[String: Any]] ?? []
        return contacts.contains { $0["name"] as? String == name && $0["online"] as? Bool == true }
    }

    /// The conversation with `name` as stored (oldest first).
    /// The conversation's messages as `history --json` gives them; with `all`, its calls and files too.
    func history(_ name: String, limit: Int = 100_000, all: Bool = false) throws -> [[String: Any]] {
        let arguments = ["history", name, "--limit", "\(limit)", "--json"] + (all ? ["--all"] : [])
        return try runParley(arguments + ["--home", home.path]).json as? [[String: Any]] ?? []
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}

/// Makes two daemons contacts of each other (both running) and waits for the link.
func befriend(_ a: DaemonProcess, as aName: String, _ b: DaemonProcess, as bName: String) throws {
    try a.parley("contacts", "add", try b.contactID(), "--name", bName, "--address", b.address).requireSuccess()
    try b.parley("contacts", "add", try a.contactID(), "--name", aName, "--address", a.address).requireSuccess()
    try waitUntil(timeout: 30, "link \(aName)–\(bName)") { try a.isOnline(bName) && b.isOnline(aName) }
}

/// `parley events` on `node`, running, with its standard output.
func startEventStream(on node: DaemonProcess) throws -> (process: Process, output: Pipe) {
    let events = Process()
    events.executableURL = parleyExecutable
    events.arguments = ["events", "--home", node.home.path]
    let output = Pipe()
    events.standardOutput = output
    try events.run()
    return (events, output)
}

/// Starts Alice and Bob (Bob in `bobHome` when given, e.g. with a config written), makes
/// them contacts of each other and waits for the link.
func startLinkedPair(bobHome: TemporaryHome? = nil) throws -> (alice: DaemonProcess, bob: DaemonProcess) {
    let alice = try DaemonProcess(name: "alice"), bob = try DaemonProcess(name: "bob", home: bobHome)
    do {
        try alice.start()
        try bob.start()
        try befriend(alice, as: "alice", bob, as: "bob")
    } catch {
        alice.cleanup()
        bob.cleanup()
        throw error
    }
    return (alice, bob)
}

/// Polls `condition` every 100 ms until it holds; throws after `timeout` seconds.
func waitUntil(timeout: TimeInterval, _ what: String = "condition", _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        usleep(100_000)
    }
    throw TimedOut(what: what, seconds: timeout)
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    let seconds: TimeInterval
    var description: String { "\(what) did not happen within \(seconds) s" }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw TimedOut(what: "finding a free port", seconds: 0) }
    return Int(UInt16(bigEndian: address.sin_port))
}
