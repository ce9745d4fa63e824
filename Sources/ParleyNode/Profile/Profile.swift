import Foundation
import ParleyCore
import ParleyStore

/// An opened profile: its paths, identity, configuration and database.
public struct Profile: Sendable {
    public let paths: ProfilePaths
    public let identity: Identity
    public let configuration: Configuration
    public let database: ParleyDatabase

    /// Opens the profile, creating the identity and the database on first use.
    public static func open(_ paths: ProfilePaths) throws -> Profile {
        let identity = try IdentityVault.loadOrCreate(at: paths)
        let configuration = try Configuration.load(from: paths.configFile)
        let database = try ParleyDatabase(path: paths.databaseFile.path)
        return Profile(paths: paths, identity: identity, configuration: configuration, database: database)
    }

    /// The name shown to peers: set with `parley id --set-name`, else the login name.
    public var displayName: String {
        if let stored = try? database.settings.value(for: SettingKeys.displayName), !stored.isEmpty { return stored }
        return ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "parley user"
    }
}

/// Keys of the database `settings` table.
public enum SettingKeys {
    public static let displayName = "display_name"

    /// The note sent with our contact request to a contact who does not have us yet.
    public static func requestNote(for id: ContactID) -> String { "request_note.\(id.canonical)" }

    /// Whether this contact's calls are answered automatically: off, audio, video.
    public static func autoAnswer(for id: ContactID) -> String { "auto_answer.\(id.canonical)" }
}
