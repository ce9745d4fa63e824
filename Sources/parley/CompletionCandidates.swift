import ArgumentParser
import Foundation
import ParleyCore
import ParleyNode

/// What the shell offers when completing contacts, transfers, requests and config keys.
/// The shell runs `parley` again to ask; the profile is the one named on the command line
/// being completed (`--home`, `--profile`, or `PARLEY_HOME`), and nothing is created
/// when it does not exist yet.
enum CompletionCandidates {
    /// Contact names (a name with spaces is offered as the contact's ID, which always works).
    static let contacts = CompletionKind.custom { words, _, _ in contactNames(words: words, includingRemoved: false) }

    /// The same, with contacts removed whose history was kept (what `history` and `search` still find).
    static let contactsWithHistory = CompletionKind.custom { words, _, _ in contactNames(words: words, includingRemoved: true) }

    private static func contactNames(words: [String], includingRemoved: Bool) -> [String] {
        guard let profile = existingProfile(words: words),
              let contacts = try? profile.database.contacts.all(includingRemoved: includingRemoved) else { return [] }
        return contacts.map { contact in contact.name.contains(where: \.isWhitespace) ? contact.id.grouped : contact.name }
    }

    /// The first 8 characters of each unfinished transfer's ID (what `file list` shows).
    static let transfers = CompletionKind.custom { words, _, _ in
        guard let profile = existingProfile(words: words), let transfers = try? profile.database.transfers.all() else { return [] }
        return transfers.filter { !$0.state.isFinal }.map { String($0.id.uuidString.prefix(8)) }
    }

    /// The IDs of pending contact requests.
    static let requests = CompletionKind.custom { words, _, _ in
        guard let profile = existingProfile(words: words), let requests = try? profile.database.requests.all() else { return [] }
        return requests.map(\.peerID.grouped)
    }

    /// Every configuration key.
    static let configKeys = CompletionKind.list(Configuration.knownKeys.sorted())

    /// The profile named by the words of the command line, if it exists.
    private static func existingProfile(words: [String]) -> Profile? {
        var home: String?
        var name: String?
        for (index, word) in words.enumerated() {
            let next = index + 1 < words.count ? words[index + 1] : nil
            switch word {
            case "--home": home = next
            case "--profile": name = next
            default:
                if word.hasPrefix("--home=") { home = String(word.dropFirst("--home=".count)) }
                if word.hasPrefix("--profile=") { name = String(word.dropFirst("--profile=".count)) }
            }
        }
        guard let paths = try? ProfilePaths.resolve(home: home.map(expandingTilde), profile: name),
              FileManager.default.fileExists(atPath: paths.databaseFile.path) else { return nil }
        return try? Profile.open(paths)
    }

    /// `~/x` as the shell would have expanded it (completion sees the word as typed).
    private static func expandingTilde(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return FileManager.default.homeDirectoryForCurrentUser.path + String(path.dropFirst(1))
    }
}
