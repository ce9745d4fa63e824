import Foundation

/// Changes to the profile's config file, one key at a time (`parley config set|unset`, the
/// UI's `/set`): comments and the order of lines are kept, the result is checked with the
/// checks the node makes at start-up before anything is written, and the file is replaced
/// atomically (mode 0600). The node reads call settings afresh for every call.
public struct ConfigurationFile: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// The file's text ("" when there is none yet).
    func text() throws(ConfigurationError) -> String {
        guard FileManager.default.fileExists(atPath: url.path) else { return "" }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadable(url.path, String(describing: error))
        }
    }

    /// The configuration as the file says now (an empty one when there is no file).
    public func load() throws(ConfigurationError) -> Configuration {
        try Configuration(parsing: try text(), source: url.path)
    }

    /// Sets `key` to `value` (replacing its line, or adding one); returns the new configuration.
    @discardableResult
    public func set(_ key: String, to value: String) throws(ConfigurationError) -> Configuration {
        let key = key.trimmingCharacters(in: .whitespaces)
        guard Configuration.knownKeys.contains(key) || key.hasPrefix(Configuration.themePrefix) else {
            throw .unknownKey(source: url.path, line: 0, key: key)
        }
        guard !value.contains("\n") else { throw .invalidValue(key: key, value: value, reason: "a value is one line") }
        let line = "\(key) = \(value.trimmingCharacters(in: .whitespaces))"
        var lines = try text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let index = lines.firstIndex(where: { Self.key(of: $0) == key }) {
            lines[index] = line
            lines.removeAll { Self.key(of: $0) == key && $0 != line }  // a repeated key would hide the new value
        } else {
            if lines.last == "" { lines.removeLast() }
            lines.append(line)
            lines.append("")
        }
        return try write(lines.joined(separator: "\n"))
    }

    /// Removes `key` (its default applies again); returns the new configuration.
    @discardableResult
    public func unset(_ key: String) throws(ConfigurationError) -> Configuration {
        let lines = try text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return try write(lines.filter { Self.key(of: $0) != key }.joined(separator: "\n"))
    }

    /// Checks the new text like a start-up would, then replaces the file.
    private func write(_ text: String) throws(ConfigurationError) -> Configuration {
        let configuration = try Configuration(parsing: text, source: url.path)
        try configuration.validate()
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        } catch {
            throw .unreadable(url.path, "cannot write it: \(error)")
        }
        return configuration
    }

    /// The key a `key = value` line sets; nil for comments and blank lines.
    static func key(of line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { return nil }
        return trimmed[..<equals].trimmingCharacters(in: .whitespaces)
    }
}

extension Configuration {
    /// Every check a node makes of its settings at start-up; throws the first problem.
    public func validate() throws(ConfigurationError) {
        _ = try listenAddress()
        _ = try logLevel()
        _ = try connectTimeout()
        _ = try callSettings()
        _ = try NodeLimits(configuration: self)
        _ = try lanDiscovery()
        _ = try lanTunnels()
        _ = try portMapping()
        if let bell = values["bell"], !["yes", "no", "on", "off", "true", "false", "1", "0"].contains(bell.lowercased()) {
            throw .invalidValue(key: "bell", value: bell, reason: "use yes or no")
        }
        if let format = values["time_format"], !["24h", "24h-seconds", "12h"].contains(format.lowercased()) {
            throw .invalidValue(key: "time_format", value: format, reason: "use 24h, 24h-seconds or 12h")
        }
        if let renderer = values["video_renderer"], !["auto", "kitty", "sixel", "blocks"].contains(renderer.lowercased()) {
            throw .invalidValue(key: "video_renderer", value: renderer, reason: "use auto, kitty, sixel or blocks")
        }
    }
}
