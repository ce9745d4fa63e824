/// The `video_renderer` setting: how video is drawn in the terminal.
public enum VideoRendererChoice: String, CaseIterable, Equatable, Sendable {
    /// The best the terminal has: kitty graphics, else sixel, else blocks (always blocks
    /// inside tmux, which does not pass images through by default).
    case auto
    /// The kitty graphics protocol (kitty, WezTerm, Konsole…): real pixels.
    case kitty
    /// Sixel graphics (xterm -ti vt340, foot, mlterm, WezTerm…): real pixels.
    case sixel
    /// Unicode half blocks (or quadrants) in colour: works in every modern terminal and tmux.
    case blocks

    /// The config key that holds this choice.
    public static let configKey = "video_renderer"

    /// The renderer to use on a terminal with `capabilities`. `insideTmux` is true when
    /// `$TMUX` is set: tmux 3.3 has no sixel and drops image escapes without
    /// `allow-passthrough`, so `auto` chooses blocks there. An explicit choice is kept
    /// whatever the terminal says (the person asked for it).
    public func resolved(for capabilities: TerminalCapabilities, insideTmux: Bool) -> VideoRendererKind {
        switch self {
        case .kitty: return .kitty
        case .sixel: return .sixel
        case .blocks: return .blocks
        case .auto:
            if insideTmux { return .blocks }
            if capabilities.kittyGraphics { return .kitty }
            if capabilities.sixel { return .sixel }
            return .blocks
        }
    }

    /// `resolved(for:insideTmux:)` with `insideTmux` taken from the environment (`TMUX` set
    /// and not empty).
    public func resolved(for capabilities: TerminalCapabilities, environment: [String: String]) -> VideoRendererKind {
        resolved(for: capabilities, insideTmux: !(environment["TMUX"] ?? "").isEmpty)
    }
}

/// A renderer once `auto` is resolved.
public enum VideoRendererKind: String, CaseIterable, Equatable, Sendable {
    case kitty
    case sixel
    case blocks
}
