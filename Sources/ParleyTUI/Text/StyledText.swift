import ParleyCore

/// What a piece of text is, for the theme to colour: the views say what they
/// draw, the theme decides how it looks.
public enum TextRole: Sendable, Hashable, CaseIterable {
    case normal, dim, accent, ownName, peerName, ownMessage, error, warning, success
    case separator, statusBar, titleBar, selection, highlight, online, offline, prompt, unread
    /// The call bar, and a media state that is off in it.
    case callBar, callBarOff
    /// Further colours for contacts' names: each contact keeps one of six (`peerName` is the first).
    case peerName2, peerName3, peerName4, peerName5, peerName6

    /// The name colours contacts are spread over.
    public static let peerNames: [TextRole] = [.peerName, .peerName2, .peerName3, .peerName4, .peerName5, .peerName6]

    /// This contact's name colour: the same on every screen and in every run (FNV-1a of its ID).
    public static func peerName(for id: ContactID) -> TextRole {
        var hash: UInt32 = 2_166_136_261
        for byte in id.canonical.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return peerNames[Int(hash % UInt32(peerNames.count))]
    }
}

/// A run of text in one role.
public struct StyledSpan: Sendable, Hashable {
    public var text: String
    public var role: TextRole

    public init(_ text: String, _ role: TextRole = .normal) {
        self.text = text
        self.role = role
    }
}

/// One screen line made of spans.
public struct StyledLine: Sendable, Hashable {
    public var spans: [StyledSpan]
    /// A tag saying which message the line belongs to (for jumping to a search hit).
    public var tag: String?

    public init(_ spans: [StyledSpan] = [], tag: String? = nil) {
        self.spans = spans
        self.tag = tag
    }

    /// The plain text of the line.
    public var text: String { spans.map(\.text).joined() }

    public var displayWidth: Int { spans.reduce(0) { $0 + $1.text.displayWidth } }
}

extension StyledLine {
    /// The line broken into lines of at most `width` columns, at spaces where it can (inside
    /// a word when a word alone is too long), each piece keeping its span's role.
    public func wrapped(width: Int) -> [StyledLine] {
        guard width > 0, displayWidth > width else { return [self] }
        // Characters with their roles, then the wrapper's break points applied to them.
        let cells = spans.flatMap { span in span.text.map { ($0, span.role) } }
        let plain = String(cells.map(\.0))
        var result: [StyledLine] = []
        var index = 0
        for piece in TextWrapper.wrap(plain, width: width) {
            // The wrapper drops the space it breaks at: skip it here too.
            while index < cells.count, piece.first != cells[index].0, cells[index].0 == " " { index += 1 }
            var line = StyledLine(tag: tag)
            for character in piece {
                guard index < cells.count else { break }
                let role = cells[index].1
                if let last = line.spans.last, last.role == role {
                    line.spans[line.spans.count - 1].text.append(character)
                } else {
                    line.spans.append(StyledSpan(String(character), role))
                }
                index += 1
            }
            result.append(line)
        }
        return result
    }
}
