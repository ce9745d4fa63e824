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
