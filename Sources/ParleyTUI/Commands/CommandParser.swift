import ParleyCore

/// Reads an input line: plain text to send, a `/` command, or a usage error.
/// `//text` sends `/text` literally.
public enum ParsedInput: Sendable, Equatable {
    case message(String)
    case command(SlashCommand)
    case invalid(String)
    case empty
}

public enum CommandParser {
    public static func parse(_ line: String) -> ParsedInput {
        let trimmed = line.trimmingWhitespace()
        guard !trimmed.isEmpty else { return .empty }
        if trimmed.hasPrefix("//") { return .message(String(line.drop(while: \.isWhitespace).dropFirst())) }
        guard trimmed.hasPrefix("/") else { return .message(line) }
        let body = trimmed.dropFirst()
        let name = String(body.prefix { !$0.isWhitespace }).lowercased()
        let rest = String(body.dropFirst(name.count)).trimmingWhitespace()
        let argument: String? = rest.isEmpty ? nil : rest
        guard let spec = CommandCatalog.spec(named: name) else {
            return .invalid("unknown command /\(name); /help lists them (start with // to send a line beginning with /)")
        }
        let usage = ParsedInput.invalid("usage: \(spec.usage)")
        switch name {
        case "help": return .command(.help)
        case "add": return parseAdd(rest) ?? usage
        case "accept": return .command(.accept(argument))
        case "decline": return .command(.decline(argument))
        case "rename": return argument.map { .command(.rename($0)) } ?? usage
        case "block": return .command(.block(argument))
        case "unblock": return .command(.unblock(argument))
        case "remove": return .command(.remove(argument))
        case "address":
            let words = rest.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = words.first else { return .command(.address(.list, nil)) }
            guard let action = AddressAction(rawValue: first.lowercased()) else {
                return words.count == 1 && looksLikeHost(first) ? .command(.address(.add, first)) : usage
            }
            if action == .list { return words.count == 1 ? .command(.address(.list, nil)) : usage }
            return words.count == 2 ? .command(.address(action, words[1])) : usage
        case "nick": return argument.map { .command(.nick($0)) } ?? usage
        case "me": return argument.map { .command(.me($0)) } ?? usage
        case "id": return .command(.id)
        case "set":
            let words = rest.split(maxSplits: 1, whereSeparator: \.isWhitespace).map(String.init)
            guard let key = words.first else { return usage }
            return .command(.set(key: key, value: words.count > 1 ? words[1] : nil))
        case "verify":
            guard let argument else { return .command(.verify(confirmed: false)) }
            return ["yes", "ok", "confirm"].contains(argument.lowercased()) ? .command(.verify(confirmed: true)) : usage
        case "send": return argument.map { .command(.send(path: $0)) } ?? usage
        case "files": return .command(.files)
        case "search": return argument.map { .command(.search($0)) } ?? usage
        case "call": return .command(.call)
        case "vcall": return .command(.videoCall)
        case "hangup": return .command(.hangup)
        case "invite": return argument.map { .command(.invite($0)) } ?? usage
        case "broadcast":
            let words = rest.split(whereSeparator: \.isWhitespace).map(String.init)
            if words.map({ $0.lowercased() }) == ["stop"] { return .command(.broadcastStop) }
            if words.map({ $0.lowercased() }) == ["all"] { return .command(.broadcast([])) }
            return .command(.broadcast(words))
        case "watch": return .command(.watch(argument))
        case "answer":
            guard let argument else { return .command(.answer(audioOnly: false)) }
            return ["audio", "audio-only"].contains(argument.lowercased()) ? .command(.answer(audioOnly: true)) : usage
        case "mute": return .command(.mute)
        case "camera": return .command(.camera)
        case "deafen": return .command(.deafen)
        case "hide": return .command(.hide)
        case "stats": return .command(.stats)
        case "quit": return .command(.quit)
        default: return usage
        }
    }

    /// `/add ID NAME [HOST[:PORT]]`. The ID may be pasted with spaces between its
    /// groups: words are taken as ID until 36 symbols are collected. A name with spaces goes
    /// in quotes; a word after the name is the address (port 29172 unless given).
    static func parseAdd(_ rest: String) -> ParsedInput? {
        var words = rest.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count >= 2 else { return nil }
        var id = ""
        while let word = words.first, id.filter({ $0 != "-" }).count < 36 {
            id += word
            words.removeFirst()
        }
        guard !words.isEmpty else { return nil }
        let name: String
        let remaining = words.joined(separator: " ")
        if let quote = remaining.first, quote == "\"" || quote == "'" {
            let body = remaining.dropFirst()
            guard let close = body.firstIndex(of: quote) else { return .invalid("the name's closing \(quote) is missing") }
            name = String(body[..<close])
            words = body[body.index(after: close)...].split(whereSeparator: \.isWhitespace).map(String.init)
        } else {
            name = words.removeFirst()
        }
        guard !name.isEmpty else { return nil }
        switch words.count {
        case 0: return .command(.add(id: id, name: name, address: nil))
        case 1 where looksLikeHost(words[0]): return .command(.add(id: id, name: name, address: words[0]))
        default:
            return .invalid("a name with spaces goes in quotes: /add ID \"\(([name] + words).joined(separator: " "))\" [HOST[:PORT]]")
        }
    }

    /// An address as typed after a name: `host:port`, `[v6]:port`, an IP address, `localhost`
    /// or a name with a dot.
    static func looksLikeHost(_ word: String) -> Bool {
        looksLikeAddress(word) || word.hasPrefix("[") || word.contains(".") || word.lowercased() == "localhost"
            || (word.contains(":") && word.allSatisfy { $0.isHexDigit || $0 == ":" })
    }

    /// `host:port` or `[v6]:port`.
    static func looksLikeAddress(_ word: String) -> Bool {
        guard let colon = word.lastIndex(of: ":") else { return false }
        let port = word[word.index(after: colon)...]
        return !port.isEmpty && port.allSatisfy(\.isNumber) && colon > word.startIndex
    }
}
