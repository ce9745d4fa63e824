/// How each text role looks: foreground, background and attributes. The
/// default theme uses only the eight ANSI colours on the terminal's own
/// background, so it reads well on 8, 256 and 24-bit terminals; config keys
/// `theme.ROLE = COLOUR` (and `theme.ROLE_bg`) change it.
public struct Theme: Sendable, Equatable {
    public struct Style: Sendable, Equatable {
        public var foreground: ColorSpec?
        public var background: ColorSpec?
        public var bold = false
        public var dim = false
        public var reverse = false
        public var underline = false

        public init(foreground: ColorSpec? = nil, background: ColorSpec? = nil, bold: Bool = false, dim: Bool = false,
                    reverse: Bool = false, underline: Bool = false) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.dim = dim
            self.reverse = reverse
            self.underline = underline
        }
    }

    public var styles: [TextRole: Style]

    public func style(for role: TextRole) -> Style { styles[role] ?? Style() }

    /// The config names of the roles (`theme.own_message`…).
    public static let roleNames: [String: TextRole] = [
        "normal": .normal, "dim": .dim, "accent": .accent, "own_name": .ownName, "peer_name": .peerName,
        "own_message": .ownMessage, "error": .error, "warning": .warning, "success": .success,
        "separator": .separator, "status": .statusBar, "title": .titleBar, "selection": .selection,
        "highlight": .highlight, "online": .online, "offline": .offline, "prompt": .prompt, "unread": .unread,
        "call": .callBar, "call_off": .callBarOff,
        "peer_name_2": .peerName2, "peer_name_3": .peerName3, "peer_name_4": .peerName4,
        "peer_name_5": .peerName5, "peer_name_6": .peerName6,
    ]

    public static let `default` = Theme(styles: [
        .normal: Style(),
        .dim: Style(dim: true),
        .accent: Style(foreground: .ansi(6), bold: true),
        .ownName: Style(foreground: .ansi(2), bold: true),
        .peerName: Style(foreground: .ansi(6), bold: true),
        .peerName2: Style(foreground: .ansi(3), bold: true),
        .peerName3: Style(foreground: .ansi(5), bold: true),
        .peerName4: Style(foreground: .ansi(4), bold: true),
        .peerName5: Style(foreground: .ansi(6)),
        .peerName6: Style(foreground: .ansi(5)),
        .ownMessage: Style(),
        .error: Style(foreground: .ansi(1), bold: true),
        .warning: Style(foreground: .ansi(3), bold: true),
        .success: Style(foreground: .ansi(2)),
        .separator: Style(foreground: .ansi(4)),
        .statusBar: Style(foreground: .ansi(7), background: .ansi(4)),
        .titleBar: Style(foreground: .ansi(7), background: .ansi(4), bold: true),
        .selection: Style(reverse: true),
        .highlight: Style(foreground: .ansi(3), bold: true, underline: true),
        .online: Style(foreground: .ansi(2), bold: true),
        .offline: Style(dim: true),
        .prompt: Style(foreground: .ansi(6), bold: true),
        .unread: Style(foreground: .ansi(3), bold: true),
        .callBar: Style(foreground: .ansi(0), background: .ansi(2)),
        .callBarOff: Style(foreground: .ansi(1), background: .ansi(2), bold: true),
    ])

    /// The default theme changed by the config's `theme.*` values; returns
    /// the problems found (unknown role, unreadable colour) to show, not to fail on.
    public static func configured(by values: [String: String]) -> (theme: Theme, problems: [String]) {
        var theme = Theme.default
        var problems: [String] = []
        for (key, value) in values.sorted(by: { $0.key < $1.key }) where key.hasPrefix("theme.") {
            var roleName = String(key.dropFirst("theme.".count))
            let isBackground = roleName.hasSuffix("_bg")
            if isBackground { roleName = String(roleName.dropLast(3)) }
            guard let role = roleNames[roleName] else {
                problems.append("\(key): unknown theme role (known: \(roleNames.keys.sorted().joined(separator: ", ")))")
                continue
            }
            guard let color = ColorSpec(parsing: value) else {
                problems.append("\(key) = \(value): use a colour name, 0–255 or #rrggbb")
                continue
            }
            if isBackground { theme.styles[role, default: Style()].background = color }
            else { theme.styles[role, default: Style()].foreground = color }
        }
        return (theme, problems)
    }
}
