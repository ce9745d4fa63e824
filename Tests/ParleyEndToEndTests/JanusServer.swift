import Foundation

/// A real Janus (Debian's `janus`) with only its streaming plugin and its HTTP API, on
/// loopback, with one RTP mountpoint (Opus on `rtpPort`, VP8 on `rtpPort + 2`): the media
/// server of `parley broadcast start --rtp`.
final class JanusServer {
    static var available: Bool { RealTerminalTools.missing(["janus", "curl"]).isEmpty }
    static let mountpoint = 99
    static let secret = "parleysecret"

    let folder: String
    let httpPort: Int
    let rtpPort: Int
    private let process: BackgroundProcess

    init(folder: String, rtpPort: Int) throws {
        self.folder = folder
        self.rtpPort = rtpPort
        httpPort = Int.random(in: 20000 ..< 29000)
        let libraries = "/usr/lib/x86_64-linux-gnu/janus"
        let plugins = ["audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "sip", "textroom", "videocall", "videoroom", "voicemail"]
        try """
            general: {
                configs_folder = "\(folder)"
                plugins_folder = "\(libraries)/plugins"
                transports_folder = "\(libraries)/transports"
                events_folder = "\(libraries)/events"
                loggers_folder = "\(libraries)/loggers"
                debug_level = 4
            }
            media: {
            }
            nat: {
                ignore_mdns = true
            }
            plugins: {
                disable = "\(plugins.map { "libjanus_\($0).so" }.joined(separator: ","))"
            }
            transports: {
                disable = "libjanus_websockets.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
            }
            events: {
                broadcast = false
            }
            loggers: {
                disable = "libjanus_jsonlog.so"
            }
            """.write(toFile: "\(folder)/janus.jcfg", atomically: true, encoding: .utf8)
        try """
            general: {
                base_path = "/janus"
                http = true
                port = \(httpPort)
                https = false
                ip = "127.0.0.1"
            }
            admin: {
                admin_http = false
            }
            """.write(toFile: "\(folder)/janus.transport.http.jcfg", atomically: true, encoding: .utf8)
        try """
            general: {
            }
            parley: {
                type = "rtp"
                id = \(Self.mountpoint)
                description = "Parley broadcast"
                secret = "\(Self.secret)"
                media = (
                    { type = "audio" mid = "a" label = "audio" port = \(rtpPort) pt = 111 codec = "opus" },
                    { type = "video" mid = "v" label = "video" port = \(rtpPort + 2) pt = 96 codec = "vp8" }
                )
            }
            """.write(toFile: "\(folder)/janus.plugin.streaming.jcfg", atomically: true, encoding: .utf8)
        process = try BackgroundProcess(URL(fileURLWithPath: RealTerminalTools.path(of: "janus")!),
                                        ["-F", folder, "-C", "\(folder)/janus.jcfg"], logs: folder, name: "janus")
        try waitUntil(timeout: 20, "Janus answers on its HTTP port") { (try? self.request("/janus", ["janus": "create"])) != nil }
    }

    /// POSTs a Janus API request (a transaction is added); the answer, when it says success.
    func request(_ path: String, _ body: [String: Any]) throws -> [String: Any] {
        var body = body
        body["transaction"] = UUID().uuidString
        let data = try JSONSerialization.data(withJSONObject: body)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: RealTerminalTools.path(of: "curl")!)
        curl.arguments = ["-s", "--max-time", "5", "-X", "POST", "--data-binary", String(decoding: data, as: UTF8.self),
                          "http://127.0.0.1:\(httpPort)\(path)"]
        let pipe = Pipe()
        curl.standardOutput = pipe
        curl.standardError = FileHandle.nullDevice
        try curl.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        guard let answer = try JSONSerialization.jsonObject(with: output) as? [String: Any], answer["janus"] as? String == "success" else {
            throw CommandFailed(status: curl.terminationStatus, stderr: String(decoding: output, as: UTF8.self))
        }
        return answer
    }

    /// The mountpoint's media as the streaming plugin reports them ("info"): each with
    /// `age_ms`, the time since its last packet, once one came.
    func mountpointMedia() throws -> [[String: Any]] {
        let session = try (request("/janus", ["janus": "create"])["data"] as? [String: Any])?["id"] as? Int ?? 0
        let handle = try (request("/janus/\(session)", ["janus": "attach", "plugin": "janus.plugin.streaming"])["data"] as? [String: Any])?["id"] as? Int ?? 0
        let answer = try request("/janus/\(session)/\(handle)",
                                 ["janus": "message", "body": ["request": "info", "id": Self.mountpoint, "secret": Self.secret]])
        let info = ((answer["plugindata"] as? [String: Any])?["data"] as? [String: Any])?["info"] as? [String: Any]
        return info?["media"] as? [[String: Any]] ?? []
    }

    var log: String { (try? String(contentsOfFile: "\(folder)/janus.out", encoding: .utf8)) ?? "" }

    /// SIGINT (Janus's own way to stop), then SIGKILL after 2 s: with sessions left it may
    /// wait for them to time out.
    func stop() {
        let janus = process.process
        guard janus.isRunning else { return }
        kill(janus.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(2)
        while janus.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if janus.isRunning { kill(janus.processIdentifier, SIGKILL) }
        janus.waitUntilExit()
    }
}
