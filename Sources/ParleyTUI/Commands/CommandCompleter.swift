import Foundation

/// Tab completion of `/` commands, of their contact arguments and of file paths.
public struct CommandCompleter: Sendable {
    public var contactNames: [String]
    public var requestNames: [String]
    /// Lists a directory: entry names, directories ending in "/" (injected for tests).
    public var listDirectory: @Sendable (String) -> [String]

    public init(contactNames: [String] = [], requestNames: [String] = [],
                listDirectory: @escaping @Sendable (String) -> [String] = CommandCompleter.entries(of:)) {
        self.contactNames = contactNames
        self.requestNames = requestNames
        self.listDirectory = listDirectory
    }

    /// The entries of a directory on disk, hidden ones last; directories end in "/".
    public static func entries(of directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.map { name in
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(name),
                                           isDirectory: &isDirectory)
            return isDirectory.boolValue ? name + "/" : name
        }
    }

    /// What Tab does to a line: the new line, and the candidates when several fit.
    public struct Completion: Sendable, Equatable {
        public var line: String
        public var candidates: [String]
    }

    /// Completes `line` (the cursor being at its end); nil when the line is not a command.
    public func complete(_ line: String) -> Completion? {
        guard line.hasPrefix("/"), !line.hasPrefix("//") else { return nil }
        let body = line.dropFirst()
        guard let space = body.firstIndex(where: \.isWhitespace) else {
            let names = CommandCatalog.commands.map(\.name).filter { $0.hasPrefix(body.lowercased()) }
            return finish(prefix: "/", typed: String(body), candidates: names)
        }
        let name = body[..<space].lowercased()
        let argument = String(body[space...].drop(while: \.isWhitespace))
        guard let spec = CommandCatalog.spec(named: name) else { return Completion(line: line, candidates: []) }
        let pool: [String]
        switch spec.completes {
        case .contact: pool = contactNames
        case .request: pool = requestNames
        case .path: return completePath(argument, prefix: "/\(name) ")
        case .nothing: return Completion(line: line, candidates: [])
        }
        let matches = pool.filter { $0.lowercased().hasPrefix(argument.lowercased()) }
        return finish(prefix: "/\(name) ", typed: argument, candidates: matches)
    }

    /// Completes the word before the cursor (the end of `line`) in plain text against
    /// `names` (contacts, our own name): at the start of the line a name gets ": " after it,
    /// as in IRC clients; elsewhere a space. Nil for a command line or an empty word.
    public func completeName(_ line: String, names: [String]) -> Completion? {
        guard !line.hasPrefix("/") || line.hasPrefix("//") else { return nil }
        let wordStart = line.lastIndex(where: \.isWhitespace).map { line.index(after: $0) } ?? line.startIndex
        let word = String(line[wordStart...])
        guard !word.isEmpty else { return nil }
        let before = String(line[..<wordStart])
        let matches = Array(Set(names.filter { !$0.isEmpty && $0.lowercased().hasPrefix(word.lowercased()) })).sorted()
        let atStart = before.allSatisfy(\.isWhitespace)
        switch matches.count {
        case 0: return Completion(line: line, candidates: [])
        case 1: return Completion(line: before + matches[0] + (atStart ? ": " : " "), candidates: [])
        default:
            let common = matches.dropFirst().reduce(matches[0]) { $0.commonPrefix(with: $1) }
            return Completion(line: before + (common.count > word.count ? common : word), candidates: matches)
        }
    }

    /// Completes the last path component of `typed` against its directory (`~/` means home).
    private func completePath(_ typed: String, prefix: String) -> Completion {
        let slash = typed.lastIndex(of: "/")
        let directoryPart = slash.map { String(typed[...$0]) } ?? ""
        let partial = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        var directory = directoryPart.isEmpty ? "." : directoryPart
        if directory.hasPrefix("~/") {
            directory = (ProcessInfo.processInfo.environment["HOME"] ?? "") + directory.dropFirst()
        }
        let names = listDirectory(directory)
            .filter { $0.hasPrefix(partial) && (partial.hasPrefix(".") || !$0.hasPrefix(".")) }
            .map { directoryPart + $0 }
        if names.count == 1, names[0].hasSuffix("/") {
            return Completion(line: prefix + names[0], candidates: [])  // keep going inside the directory
        }
        return finish(prefix: prefix, typed: typed, candidates: names, caseSensitive: true)
    }

    private func finish(prefix: String, typed: String, candidates: [String], caseSensitive: Bool = false) -> Completion {
        if caseSensitive, candidates.count > 1 {
            let common = candidates.dropFirst().reduce(candidates[0]) { String(zip($0, $1).prefix { $0 == $1 }.map(\.0)) }
            return Completion(line: prefix + (common.count > typed.count ? common : typed), candidates: candidates.sorted())
        }
        switch candidates.count {
        case 0: return Completion(line: prefix + typed, candidates: [])
        case 1: return Completion(line: prefix + candidates[0] + " ", candidates: [])
        default:
            let common = candidates.dropFirst().reduce(candidates[0]) { $0.commonPrefix(with: $1) }
            let line = common.count > typed.count ? prefix + common : prefix + typed
            return Completion(line: line, candidates: candidates.sorted())
        }
    }
}

extension String {
    func commonPrefix(with other: String) -> String {
        String(zip(self, other).prefix { $0.lowercased() == $1.lowercased() }.map(\.0))
    }
}
