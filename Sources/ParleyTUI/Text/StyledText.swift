/// What a piece of text is, for the theme to colour: the views say what they
/// draw, the theme decides how it looks.
public enum TextRole: Sendable, Hashable, CaseIterable {
    case normal, dim, accent, ownName, peerName, ownMessage, error, warning, success
    case separator, statusBar, titleBar, selection, highlight, online, offline, prompt, unread
    /// The call bar, and a media state that is off in it.
    case callBar, callBarOff
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
