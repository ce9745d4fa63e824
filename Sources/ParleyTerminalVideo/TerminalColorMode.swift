/// How many colours the block renderer may use.
public enum TerminalColorMode: String, CaseIterable, Equatable, Sendable {
    /// 24-bit colour: `ESC [ 38;2;R;G;B m`.
    case trueColor = "truecolor"
    /// The xterm 256-colour palette (6x6x6 cube and grey ramp, nearest colour):
    /// `ESC [ 38;5;N m`. The first 16 colours are never used: themes change them.
    case palette256 = "256"

    /// Parses `truecolor` (also `24bit`, `24-bit`) or `256`.
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "truecolor", "24bit", "24-bit", "direct": self = .trueColor
        case "256": self = .palette256
        default: return nil
        }
    }

    /// From the environment: true colour when `COLORTERM` says `truecolor` or `24bit`,
    /// the 256-colour palette otherwise.
    public static func detect(environment: [String: String]) -> TerminalColorMode {
        let colorTerm = (environment["COLORTERM"] ?? "").lowercased()
        return colorTerm == "truecolor" || colorTerm == "24bit" ? .trueColor : .palette256
    }
}
