import ParleyMedia

/// Draws video frames in a rectangle of the terminal with Unicode block characters in
/// colour, sending only the cells that changed since the previous frame.
///
/// Pure: it returns bytes and writes nothing itself. One renderer per pane; not thread-safe
/// (use it from one thread, or through `TerminalVideoWriter`).
///
/// ```swift
/// let renderer = BlockVideoRenderer(region: CellRect(row: 1, column: 40, columns: 60, rows: 20))
/// let bytes = renderer.render(frame)   // write them to the terminal; [] when nothing changed
/// renderer.invalidate()                // after the screen was cleared or repainted
/// ```
public final class BlockVideoRenderer {
    /// How the picture is drawn.
    public struct Options: Equatable, Sendable {
        public var symbols: BlockSymbols
        public var colors: TerminalColorMode
        /// Bracket each frame with `ESC [ ? 2026 h` … `ESC [ ? 2026 l` (when the terminal
        /// supports it: `TerminalCapabilities.synchronizedOutput`).
        public var synchronizedOutput: Bool
        /// A cell is sent again only when a colour moved by more than this in some channel, and
        /// a colour in effect this close to the one wanted is kept rather than sent again
        /// (0…255; true colour only). 0 sends every change exactly; a few levels hide camera
        /// noise and halve the bytes of busy pictures.
        public var colorTolerance: Int
        /// The default tolerance: changes of 4 levels or less are not worth bytes.
        public static let defaultColorTolerance = 4

        /// A cell's height divided by its width (about 2 in most fonts).
        public var cellAspect: Double
        /// Wrap each frame in DECSC / DECRC (`ESC 7` … `ESC 8`): the cursor position and
        /// attributes are back where they were afterwards (for curses, which must know where
        /// its cursor is). Off: the cursor is left after the last cell drawn.
        public var preservesCursor: Bool

        public init(
            symbols: BlockSymbols = .halfBlocks, colors: TerminalColorMode = .trueColor, synchronizedOutput: Bool = false,
            colorTolerance: Int = Options.defaultColorTolerance, cellAspect: Double = 2, preservesCursor: Bool = false
        ) {
            self.symbols = symbols
            self.colors = colors
            self.synchronizedOutput = synchronizedOutput
            self.colorTolerance = colorTolerance
            self.cellAspect = cellAspect
            self.preservesCursor = preservesCursor
        }
    }

    /// Where the picture goes (0-based; see `CellRect`). Setting a different region
    /// invalidates: the next frame is drawn whole. Sizes are clamped to `CellRect.maximumSide`.
    public var region: CellRect {
        didSet {
            region = region.clamped
            guard region != oldValue else { return }
            resize()
        }
    }

    /// Options; changing them invalidates.
    public var options: Options {
        didSet {
            options.colorTolerance = min(max(options.colorTolerance, 0), 255)
            guard options != oldValue else { return }
            resize()
        }
    }

    /// Cells of the screen (absolute, 0-based) this renderer leaves alone: something else is
    /// drawn over them (a self-view thumbnail over the peer's picture), so drawing the picture
    /// there would only flicker. They are drawn once uncovered (set nil). No invalidation.
    public var occludedRegion: CellRect? {
        get { encoder.occluded }
        set { encoder.occluded = newValue?.clamped }
    }

    /// The cells of the last frame rendered.
    public private(set) var cells: CellGrid
    /// Cells sent by the last `render` (0 when nothing changed).
    public var cellsSent: Int { encoder.cellsSent }
    /// Where the picture lies in the region, in grid pixels (the rest is letterbox).
    public var fit: ImageFit { scaler.fit }

    private let scaler = AreaScaler()
    private var encoder: CellDiffEncoder
    private var output: [UInt8] = []

    public init(region: CellRect, options: Options = Options()) {
        let region = region.clamped
        var options = options
        options.colorTolerance = min(max(options.colorTolerance, 0), 255)
        self.region = region
        self.options = options
        cells = CellGrid(columns: region.columns, rows: region.rows)
        encoder = CellDiffEncoder(
            region: region, colors: options.colors, colorTolerance: options.colorTolerance,
            synchronizedOutput: options.synchronizedOutput, preservesCursor: options.preservesCursor)
    }

    /// Forgets what the terminal shows: the next frame is drawn whole (after a curses
    /// repaint, a clear or a resize).
    public func invalidate() {
        encoder.invalidate()
    }

    /// The bytes that draw `frame` (only the changes since the last frame; empty when none).
    /// A frame whose planes do not match its size is drawn black.
    public func render(_ frame: I420Frame) -> [UInt8] {
        output.removeAll(keepingCapacity: true)
        render(frame, appendingTo: &output)
        return output
    }

    /// Appends the bytes that draw `frame` to `buffer` (reuse one buffer to avoid allocating).
    public func render(_ frame: I420Frame, appendingTo buffer: inout [UInt8]) {
        updateCells(frame)
        encoder.encode(cells, into: &buffer)
    }

    /// Computes the cells for `frame` without producing bytes (what `render` draws).
    public func updateCells(_ frame: I420Frame) {
        guard !region.isEmpty else { return }
        let symbols = options.symbols
        let gridWidth = region.columns * symbols.pixelsAcross
        let gridHeight = region.rows * symbols.pixelsDown
        let aspect = options.cellAspect.isFinite && options.cellAspect > 0 ? options.cellAspect : 2
        let pixelAspect = aspect * Double(symbols.pixelsAcross) / Double(symbols.pixelsDown)
        scaler.scale(frame, gridWidth: gridWidth, gridHeight: gridHeight, pixelAspect: pixelAspect)
        scaler.pixels.withUnsafeBufferPointer { pixels in
            BlockCellBuilder.build(pixels: pixels, gridWidth: gridWidth, symbols: symbols, colors: options.colors, into: &cells)
        }
    }

    private func resize() {
        cells = CellGrid(columns: region.columns, rows: region.rows)
        let occluded = encoder.occluded
        encoder = CellDiffEncoder(
            region: region, colors: options.colors, colorTolerance: options.colorTolerance,
            synchronizedOutput: options.synchronizedOutput, preservesCursor: options.preservesCursor)
        encoder.occluded = occluded
    }
}
