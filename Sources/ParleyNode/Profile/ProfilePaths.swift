import Foundation

/// Where a profile keeps its files.
///
/// With `--home DIR` (or `PARLEY_HOME`) everything lives in DIR. Otherwise
/// the XDG directories are used: configuration and identity in
/// `~/.config/parley`, data in `~/.local/share/parley` (a named `--profile`
/// gets a `profiles/NAME` folder in each).
public struct ProfilePaths: Sendable, Equatable {
    /// Identity and configuration.
    public let configDirectory: URL
    /// Database, control socket and other state.
    public let dataDirectory: URL

    public var configFile: URL { configDirectory.appending(path: "config") }
    /// Whether everything lives in one folder (`--home DIR` or `PARLEY_HOME`).
    public var isSelfContained: Bool { configDirectory == dataDirectory }
    public var privateKeyFile: URL { configDirectory.appending(path: "identity.key") }
    public var certificateFile: URL { configDirectory.appending(path: "identity.crt") }
    public var databaseFile: URL { dataDirectory.appending(path: "parley.db") }
    /// The Unix socket through which CLI commands reach a running node.
    public var controlSocket: URL { dataDirectory.appending(path: "control.sock") }

    public init(configDirectory: URL, dataDirectory: URL) {
        self.configDirectory = configDirectory
        self.dataDirectory = dataDirectory
    }

    /// Resolves the directories from the command-line options and the environment.
    public static func resolve(home: String?, profile: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws(ProfileError) -> ProfilePaths {
        if let home = home ?? environment["PARLEY_HOME"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let url = URL(fileURLWithPath: home, isDirectory: true).standardizedFileURL
            return ProfilePaths(configDirectory: url, dataDirectory: url)
        }
        if let profile, profile.isEmpty || profile.contains("/") || profile.hasPrefix(".") {
            throw .invalidProfileName(profile)
        }
        guard let userHome = environment["HOME"], !userHome.isEmpty else { throw .noHomeDirectory }
        func base(_ variable: String, _ fallback: String) -> URL {
            let value = environment[variable].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "\(userHome)/\(fallback)"
            var url = URL(fileURLWithPath: value, isDirectory: true).appending(path: "parley")
            if let profile { url = url.appending(path: "profiles").appending(path: profile) }
            return url
        }
        return ProfilePaths(configDirectory: base("XDG_CONFIG_HOME", ".config"),
                            dataDirectory: base("XDG_DATA_HOME", ".local/share"))
    }

    /// Creates both directories (mode 0700) if they are missing, and makes
    /// existing ones of ours private too (0700): they hold the key and the history.
    public func createDirectories() throws(ProfileError) {
        for directory in [configDirectory, dataDirectory] {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotCreateDirectory(directory.path, String(describing: error))
            }
            var info = stat()
            if stat(directory.path, &info) == 0, info.st_uid == getuid(), info.st_mode & 0o077 != 0 {
                chmod(directory.path, 0o700)
            }
        }
    }
}
