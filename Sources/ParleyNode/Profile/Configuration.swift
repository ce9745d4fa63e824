import Foundation
import Logging
import ParleyCore

/// The profile's `config` file: `key = value` lines, `#` comments.
/// See `share/parley.conf` for every key with its default.
public struct Configuration: Sendable, Equatable {
    /// The keys Parley understands; others are reported, not silently ignored.
    public static let knownKeys: Set<String> = Set([
        "listen", "downloads", "log_level", "bell", "connect_timeout", "stun", "turn", "turn_user", "turn_secret",
        "video_renderer", "time_format", "lan_discovery", "lan_tunnels", "port_mapping",
    ]).union(NodeLimits.keys).union(CallSettings.keys)
    /// Theme keys (`theme.NAME = COLOUR`) are open-ended.
    public static let themePrefix = "theme."

    public private(set) var values: [String: String]

    public init(values: [String: String] = [:]) {
        self.values = values
    }

    /// Parses the text of a config file.
    public init(parsing text: String, source: String = "config") throws(ConfigurationError) {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw .malformedLine(source: source, line: index + 1, text: String(line))
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard Self.knownKeys.contains(key) || key.hasPrefix(Self.themePrefix) else {
                throw .unknownKey(source: source, line: index + 1, key: key)
            }
            values[key] = value
        }
        self.values = values
    }

    /// Reads a config file; a missing file is an empty configuration.
    public static func load(from url: URL) throws(ConfigurationError) -> Configuration {
        try ConfigurationFile(url: url).load()
    }

    /// The address to listen on (default all interfaces, port 29172).
    public func listenAddress() throws(ConfigurationError) -> PeerAddress {
        guard let text = values["listen"] else { return PeerAddress(host: "0.0.0.0") }
        do {
            return try PeerAddress(parsing: text)
        } catch {
            throw .invalidValue(key: "listen", value: text, reason: error.description)
        }
    }

    /// How much `parley daemon` logs (default info).
    public func logLevel() throws(ConfigurationError) -> Logger.Level {
        guard let text = values["log_level"] else { return .info }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw .invalidValue(key: "log_level", value: text,
                                reason: "use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }

    /// Seconds to wait for an outgoing connection (default 30).
    public func connectTimeout() throws(ConfigurationError) -> Int {
        try integer("connect_timeout", default: 30, in: 1...600, unit: "seconds")
    }

    /// Whether beacons are sent and heard on the local network (`lan_discovery`, default on).
    public func lanDiscovery() throws(ConfigurationError) -> Bool {
        try flag("lan_discovery", default: true)
    }

    /// Whether LAN discovery also uses tunnel interfaces: tun*, wg*, point-to-point (`lan_tunnels`, default no).
    public func lanTunnels() throws(ConfigurationError) -> Bool {
        try flag("lan_tunnels", default: false)
    }

    /// Whether the node maps its listen port on the router (`port_mapping`, default auto).
    public func portMapping() throws(ConfigurationError) -> PortMappingMode {
        guard let text = values["port_mapping"] else { return .auto }
        guard let mode = PortMappingMode(rawValue: text.lowercased()) else {
            throw .invalidValue(key: "port_mapping", value: text, reason: "use auto or off")
        }
        return mode
    }

    /// The on/off setting `key`, or `defaultValue`.
    public func flag(_ key: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = values[key] else { return defaultValue }
        switch text.lowercased() {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default: throw .invalidValue(key: key, value: text, reason: "use on or off")
        }
    }

    /// The integer setting `key`, or `defaultValue`; a value outside `range` is an error.
    public func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>,
                        unit: String = "") throws(ConfigurationError) -> Int {
        guard let text = values[key] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            let what = unit.isEmpty ? "a whole number" : "a number of \(unit)"
            throw .invalidValue(key: key, value: text,
                                reason: "use \(what) from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

/// `port_mapping`: `auto` asks the router (NAT-PMP, then UPnP-IGD) to forward the listen port;
/// `off` never does.
public enum PortMappingMode: String, Sendable, Equatable {
    case auto
    case off
}

/// What is wrong with the config file.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedLine(source: String, line: Int, text: String)
    case unknownKey(source: String, line: Int, key: String)
    case invalidValue(key: String, value: String, reason: String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .malformedLine(let source, let line, let text):
            "\(source):\(line): '\(text)' is not a 'key = value' line"
        case .unknownKey(let source, let line, let key):
            "\(source):\(line): unknown setting '\(key)' (known: \(Configuration.knownKeys.sorted().joined(separator: ", ")), theme.*)"
        case .invalidValue(let key, let value, let reason):
            "setting \(key) = \(value) is invalid: \(reason)"
        case .unreadable(let path, let detail):
            "cannot read the config file \(path) (\(detail))"
        }
    }
}
