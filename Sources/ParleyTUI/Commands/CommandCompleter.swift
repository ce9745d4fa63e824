/// Tab completion of `/` commands and of their contact arguments.
public struct CommandCompleter: Sendable {
    public var contactNames: [String]
    public var requestNames: [String]

    public init(contactNames: [String] = [], requestNames: [String] = []) {
        self.contactNames = contactNames
        self.requestNames = requestNames
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
        case .nothing, .path: return Completion(line: line, candidates: [])
        }
        let matches = pool.filter { $0.lowercased().hasPrefix(argument.lowercased()) }
        return finish(prefix: "/\(name) ", typed: argument, candidates: matches)
    }

    private func finish(prefix: String, typed: String, candidates: [String]) -> Completion {
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
