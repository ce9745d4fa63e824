import Foundation

/// What a person typed, turned into FTS5 queries that cannot be syntax
/// errors: each word quoted, the last one a prefix.
///
/// `exactMatch` is the query as meant (`"w1" "w2" *`). `match` is the one
/// that streams newest-first from the index: FTS5 answers a prefix of 2 or 3
/// characters from its prefix indexes (migration 0006), but merges the lists
/// of every matching term in memory for a longer one, which costs as much as
/// there are matches. So a last word of 4 characters or more is asked for by
/// its first 3 (`"w1" "hel" *` for `w1 hello`) and `prefixFilter` keeps the
/// candidates that really have a word starting with it. A one-character
/// last word matches as a whole word.
struct SearchPlan {
    var match: String
    var exactMatch: String
    var prefixFilter: PrefixFilter?

    init?(_ text: String) {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isPunctuation && $0 != "'" }).map(String.init)
        guard let last = words.last else { return nil }
        func quoted(_ word: String) -> String { "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let head = words.dropLast().map(quoted)
        let lastExact = last.count == 1 ? quoted(last) : quoted(last) + " *"
        exactMatch = (head + [lastExact]).joined(separator: " ")
        if last.count >= 4, last.allSatisfy({ $0.isLetter || $0.isNumber }) {
            match = (head + [quoted(String(last.prefix(3))) + " *"]).joined(separator: " ")
            prefixFilter = PrefixFilter(prefix: Self.folded(last), words: Set(words.dropLast().map { Self.folded($0) }))
        } else {
            match = exactMatch
            prefixFilter = nil
        }
    }

    /// Case and accents removed, as the index's tokenizer does.
    static func folded(_ text: some StringProtocol) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}

/// Checks a candidate found through the first 3 characters of the last word.
struct PrefixFilter {
    /// The whole last word, folded.
    var prefix: String
    /// The other words, folded: their marks are kept in the snippet.
    var words: Set<String>

    static let open: Character = "\u{1}", close: Character = "\u{2}"

    /// The hit when a word marked in `highlighted` (FTS5 `highlight` with
    /// \u{1} … \u{2}) starts with the prefix, with a snippet that marks only
    /// the words really matched; nil otherwise.
    func check(_ hit: MessageRepository.SearchHit, highlighted: String) -> MessageRepository.SearchHit? {
        var pieces: [(text: String, marked: Bool)] = []
        var current = "", inMark = false, found = false
        for character in highlighted {
            if character == Self.open || character == Self.close {
                if !current.isEmpty || inMark {
                    let folded = SearchPlan.folded(current)
                    let matches = folded.hasPrefix(prefix)
                    found = found || (inMark && matches)
                    pieces.append((current, inMark && (matches || words.contains(folded))))
                }
                current = ""
                inMark = character == Self.open
            } else {
                current.append(character)
            }
        }
        pieces.append((current, false))
        guard found else { return nil }
        var result = hit
        result.snippet = Self.snippet(pieces)
        return result
    }

    /// About 12 words around the first match, matches in `[` `]`, `…` where cut.
    static func snippet(_ pieces: [(text: String, marked: Bool)]) -> String {
        let text = pieces.map { $0.marked ? "[" + $0.text + "]" : $0.text }.joined()
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count > 12 else { return words.joined(separator: " ") }
        let first = words.firstIndex(where: { $0.contains("[") }) ?? 0
        let start = min(max(0, first - 2), words.count - 12)
        let end = start + 12
        return (start > 0 ? "…" : "") + words[start..<end].joined(separator: " ") + (end < words.count ? "…" : "")
    }
}
