/// What a terminal said it can do, from its replies to `TerminalCapabilityQuery`.
public struct TerminalCapabilities: Equatable, Sendable {
    /// The kitty graphics protocol answered `OK` to a query.
    public var kittyGraphics: Bool
    /// The primary device attributes (DA1) list 4: sixel graphics.
    public var sixel: Bool
    /// DECRQM says mode 2026 (synchronized output) is known (set or reset).
    public var synchronizedOutput: Bool
    /// The size of one cell in pixels (`ESC [ 16 t`), when the terminal told it.
    public var cellPixelSize: PixelSize?
    /// The terminal draws an emoji ZWJ sequence (a family: man, ZWJ, woman, ZWJ, girl) as one
    /// picture two cells wide: the cursor moved two columns over it (a cursor position report).
    public var joinsEmojiSequences: Bool = false

    public init(kittyGraphics: Bool = false, sixel: Bool = false, synchronizedOutput: Bool = false, cellPixelSize: PixelSize? = nil) {
        self.kittyGraphics = kittyGraphics
        self.sixel = sixel
        self.synchronizedOutput = synchronizedOutput
        self.cellPixelSize = cellPixelSize
    }

    /// Nothing known: blocks, no synchronized output. What a time-out or garbage gives.
    public static let none = TerminalCapabilities()
}

/// A size in pixels.
public struct PixelSize: Equatable, Hashable, Sendable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}
