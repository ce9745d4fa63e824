import ParleyMedia

/// One renderer for a pane whatever the terminal draws with: blocks (`BlockVideoRenderer`),
/// kitty graphics or sixel. Pure: returns bytes; one per pane, used from one thread.
///
/// ```swift
/// let kind = VideoRendererChoice.auto.resolved(for: capabilities, environment: env)
/// let renderer = TerminalVideoRenderer(region: pane, configuration: .init(kind: kind))
/// write(renderer.render(frame))      // [] when nothing changed
/// renderer.region = newPane          // after a resize: next frame drawn whole
/// renderer.invalidate()              // after the screen was repainted
/// write(renderer.clearBytes())       // when the video stops (kitty: deletes the image)
/// ```
public final class TerminalVideoRenderer {
    /// Everything but the pane.
    public struct Configuration: Equatable, Sendable {
        public var kind: VideoRendererKind
        /// Blocks: symbols, colours, tolerance; all kinds: synchronized output, cell aspect,
        /// cursor preservation.
        public var blocks: BlockVideoRenderer.Options
        /// One cell in pixels, for sixel and kitty (`TerminalCapabilities.cellPixelSize` or
        /// `TerminalWindowSize.cellPixelSize`); when nil, 10x20 is assumed.
        public var cellPixelSize: PixelSize?
        /// The largest picture sent to kitty or sixel (bytes grow with it).
        public var maximumImageSize: PixelSize
        /// The kitty image id this pane uses (another pane needs another id).
        public var imageID: UInt32

        public init(
            kind: VideoRendererKind = .blocks, blocks: BlockVideoRenderer.Options = .init(), cellPixelSize: PixelSize? = nil,
            maximumImageSize: PixelSize = PixelSize(width: 640, height: 480), imageID: UInt32 = 1
        ) {
            self.kind = kind
            self.blocks = blocks
            self.cellPixelSize = cellPixelSize
            self.maximumImageSize = maximumImageSize
            self.imageID = imageID
        }
    }

    /// Where the picture goes (0-based cells). A new region invalidates.
    public var region: CellRect {
        didSet {
            region = region.clamped
            guard region != oldValue else { return }
            blockRenderer.region = region
            invalidate()
        }
    }

    public private(set) var configuration: Configuration

    /// Blocks only: screen cells (absolute, 0-based) left alone because something else is
    /// drawn over them (see `BlockVideoRenderer.occludedRegion`). Kitty and sixel pictures
    /// are images: a second image placed later (another image id) simply covers them.
    public var occludedRegion: CellRect? {
        get { blockRenderer.occludedRegion }
        set { blockRenderer.occludedRegion = newValue }
    }

    private let blockRenderer: BlockVideoRenderer
    private let scaler = AreaScaler()
    private let sixel = SixelEncoder()
    private var lastImage: [UInt32] = []
    private var needsFullDraw = true
    private var rgb: [UInt8] = []
    private var output: [UInt8] = []

    public init(region: CellRect, configuration: Configuration = Configuration()) {
        self.region = region.clamped
        self.configuration = configuration
        blockRenderer = BlockVideoRenderer(region: region, options: configuration.blocks)
    }

    /// Changes the configuration (the next frame is drawn whole).
    public func reconfigure(_ configuration: Configuration) {
        self.configuration = configuration
        blockRenderer.options = configuration.blocks
        invalidate()
    }

    /// The next frame is drawn whole (after a repaint, a clear, a resize).
    public func invalidate() {
        blockRenderer.invalidate()
        needsFullDraw = true
        lastImage.removeAll()
    }

    /// The bytes that draw `frame`; empty when nothing changed.
    public func render(_ frame: I420Frame) -> [UInt8] {
        output.removeAll(keepingCapacity: true)
        render(frame, appendingTo: &output)
        return output
    }

    /// Appends the bytes that draw `frame` to `buffer`.
    public func render(_ frame: I420Frame, appendingTo buffer: inout [UInt8]) {
        switch configuration.kind {
        case .blocks: blockRenderer.render(frame, appendingTo: &buffer)
        case .kitty, .sixel: renderImage(frame, into: &buffer)
        }
    }

    /// Bytes that take the picture away when video stops: kitty deletes its image (images
    /// stay over the text otherwise); blocks and sixel are plain cells the caller repaints.
    public func clearBytes() -> [UInt8] {
        configuration.kind == .kitty ? KittyGraphicsEncoder.deleteImage(configuration.imageID) : []
    }

    /// The block renderer's cells sent by the last frame (blocks only).
    public var cellsSent: Int { blockRenderer.cellsSent }

    // MARK: Pixels (kitty, sixel)

    /// The picture's size in pixels and the cells it covers inside the region.
    struct ImageLayout: Equatable {
        var pixelWidth: Int
        var pixelHeight: Int
        var cells: CellRect
    }

    static func imageLayout(
        sourceWidth: Int, sourceHeight: Int, region: CellRect, cell: PixelSize, maximum: PixelSize, scalesUp: Bool
    ) -> ImageLayout? {
        guard !region.isEmpty, sourceWidth > 0, sourceHeight > 0, cell.width > 0, cell.height > 0 else { return nil }
        let paneWidth = region.columns * cell.width, paneHeight = region.rows * cell.height
        let fit = ImageFit.fit(sourceWidth: sourceWidth, sourceHeight: sourceHeight, gridWidth: paneWidth, gridHeight: paneHeight)
        // Cells covered by the fitted picture, centred.
        let columns = min(max(1, (fit.width + cell.width / 2) / cell.width), region.columns)
        let rows = min(max(1, (fit.height + cell.height / 2) / cell.height), region.rows)
        // Pixels sent: the fit, no larger than the maximum (and the source, for kitty, which scales).
        var width = fit.width, height = fit.height
        let limitWidth = max(1, min(maximum.width, scalesUp ? Int.max : sourceWidth))
        let limitHeight = max(1, min(maximum.height, scalesUp ? Int.max : sourceHeight))
        if width > limitWidth || height > limitHeight {
            let scale = min(Double(limitWidth) / Double(width), Double(limitHeight) / Double(height))
            width = max(2, Int(Double(width) * scale))
            height = max(2, Int(Double(height) * scale))
        }
        let cells = CellRect(
            row: region.row + (region.rows - rows) / 2, column: region.column + (region.columns - columns) / 2, columns: columns, rows: rows)
        return ImageLayout(pixelWidth: width, pixelHeight: height, cells: cells)
    }

    private func renderImage(_ frame: I420Frame, into buffer: inout [UInt8]) {
        let cell = configuration.cellPixelSize ?? PixelSize(width: 10, height: 20)
        let kitty = configuration.kind == .kitty
        guard let layout = Self.imageLayout(
            sourceWidth: frame.width, sourceHeight: frame.height, region: region, cell: cell,
            maximum: configuration.maximumImageSize, scalesUp: !kitty)
        else { return }
        guard scaler.scale(frame, gridWidth: layout.pixelWidth, gridHeight: layout.pixelHeight) else { return }
        if !needsFullDraw && scaler.pixels == lastImage { return }
        // Copy into the kept buffer (sharing it would copy on the next scale instead).
        if lastImage.count != scaler.pixels.count { lastImage = [UInt32](repeating: 0, count: scaler.pixels.count) }
        scaler.pixels.withUnsafeBufferPointer { pixels in
            lastImage.withUnsafeMutableBufferPointer { last in
                for index in 0 ..< pixels.count { last[index] = pixels[index] }
            }
        }
        let options = configuration.blocks
        if options.synchronizedOutput { buffer.append(contentsOf: TerminalSequences.beginSynchronizedUpdate) }
        if options.preservesCursor { buffer.append(contentsOf: TerminalSequences.saveCursor) }
        if needsFullDraw {
            // The letterbox: the whole pane black once.
            buffer.append(contentsOf: TerminalSequences.resetAttributes)
            buffer.appendASCII("\u{1B}[48;5;16m")
            for row in 0 ..< region.rows {
                buffer.appendCursorPosition(row: region.row + row, column: region.column)
                for _ in 0 ..< region.columns { buffer.append(0x20) }
            }
            buffer.append(contentsOf: TerminalSequences.resetAttributes)
            needsFullDraw = false
        }
        buffer.appendCursorPosition(row: layout.cells.row, column: layout.cells.column)
        if kitty {
            let count = layout.pixelWidth * layout.pixelHeight
            if rgb.count != count * 3 { rgb = [UInt8](repeating: 0, count: count * 3) }
            scaler.pixels.withUnsafeBufferPointer { pixels in
                rgb.withUnsafeMutableBufferPointer { bytes in
                    for index in 0 ..< count {
                        let pixel = pixels[index]
                        bytes[3 * index] = UInt8(truncatingIfNeeded: pixel >> 16)
                        bytes[3 * index + 1] = UInt8(truncatingIfNeeded: pixel >> 8)
                        bytes[3 * index + 2] = UInt8(truncatingIfNeeded: pixel)
                    }
                }
            }
            KittyGraphicsEncoder.appendImage(
                rgb: rgb, width: layout.pixelWidth, height: layout.pixelHeight, imageID: configuration.imageID,
                columns: layout.cells.columns, rows: layout.cells.rows, into: &buffer)
        } else {
            scaler.pixels.withUnsafeBufferPointer { pixels in
                sixel.append(pixels: pixels, width: layout.pixelWidth, height: layout.pixelHeight, into: &buffer)
            }
        }
        if options.preservesCursor { buffer.append(contentsOf: TerminalSequences.restoreCursor) }
        if options.synchronizedOutput { buffer.append(contentsOf: TerminalSequences.endSynchronizedUpdate) }
    }
}
