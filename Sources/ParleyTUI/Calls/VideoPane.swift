import ParleyMedia
import ParleyNode
import ParleyTerminalVideo

/// The video pane of a call: the peer's picture over the pane and our self-view as a
/// thumbnail in its bottom-right corner, each drawn when a new frame arrived (only the cells
/// that changed), written over the blank area curses keeps for the pane.
final class VideoPane {
    /// How pictures are drawn on this terminal (resolved once at start-up).
    struct Style {
        var kind: VideoRendererKind = .blocks
        var colors: TerminalColorMode = .trueColor
        var synchronizedOutput = false
        var cellPixelSize: PixelSize?

        /// Resolves the configured choice for what the terminal said it can draw.
        static func resolved(for capabilities: TerminalCapabilities, choice: VideoRendererChoice,
                             environment: [String: String]) -> Style {
            Style(kind: choice.resolved(for: capabilities, environment: environment),
                         colors: TerminalColorMode.detect(environment: environment),
                         synchronizedOutput: capabilities.synchronizedOutput,
                         cellPixelSize: capabilities.cellPixelSize ?? TerminalWindowSize.current()?.cellPixelSize)
        }
    }

    var style = Style() {
        didSet { remote = nil; local = nil }
    }

    private var remote: TerminalVideoRenderer?
    private var local: TerminalVideoRenderer?
    private var remoteSeen: UInt64 = 0
    private var localSeen: UInt64 = 0
    private var remoteFrame: I420Frame?
    private var localFrame: I420Frame?
    private var area: Rect?
    private var buffer: [UInt8] = []
    /// Whether a picture of the peer is on screen (the placeholder words are gone).
    private(set) var hasPicture = false

    /// A new call, or none: nothing drawn, nothing kept.
    func reset() {
        invalidate()
        remoteFrame = nil
        localFrame = nil
        hasPicture = false
    }

    /// The terminal was repainted or the pane moved: the next update draws everything again.
    func invalidate() {
        area = nil
        remote?.invalidate()
        local?.invalidate()
    }

    /// Bytes that take the pictures away (kitty images stay over the text otherwise).
    func clearBytes() -> [UInt8] {
        (remote?.clearBytes() ?? []) + (local?.clearBytes() ?? [])
    }

    /// The bytes that draw what changed since the last update in `area` (empty when nothing
    /// new arrived and nothing needs drawing again).
    func update(feed: CallVideoFeed, area: Rect) -> [UInt8] {
        let moved = area != self.area
        if moved { layOut(area) }
        var remoteChanged = moved, localChanged = moved
        if let (frame, generation) = feed.remote.latest(after: remoteSeen) {
            remoteSeen = generation
            remoteFrame = frame
            remoteChanged = true
        }
        if let (frame, generation) = feed.local.latest(after: localSeen) {
            localSeen = generation
            localFrame = frame
            localChanged = true
        }
        buffer.removeAll(keepingCapacity: true)
        if remoteChanged, let remoteFrame, let remote {
            let before = buffer.count
            remote.render(remoteFrame, appendingTo: &buffer)
            hasPicture = true
            // The peer's picture may have covered the thumbnail's corner: draw it whole again.
            if buffer.count > before { local?.invalidate(); localChanged = true }
        }
        if localChanged, let localFrame, let local { local.render(localFrame, appendingTo: &buffer) }
        return buffer
    }

    /// The renderers' regions for a pane: the peer over all of it, the self-view in a corner
    /// (about a quarter of the width, 4:3), when the pane is big enough for both.
    private func layOut(_ area: Rect) {
        self.area = area
        let configuration = { (imageID: UInt32) in
            TerminalVideoRenderer.Configuration(
                kind: self.style.kind,
                blocks: BlockVideoRenderer.Options(colors: self.style.colors, synchronizedOutput: self.style.synchronizedOutput,
                                                   colorTolerance: 3, preservesCursor: false),
                cellPixelSize: self.style.cellPixelSize, imageID: imageID)
        }
        let pane = CellRect(row: area.row, column: area.column, columns: area.width, rows: area.height)
        if let remote { remote.region = pane; remote.invalidate() } else { remote = TerminalVideoRenderer(region: pane, configuration: configuration(1)) }
        let columns = max(10, area.width / 4)
        let rows = max(3, min(area.height / 2, (columns * 3 + 4) / 8))
        if area.width >= 30, area.height >= 8 {
            let corner = CellRect(row: area.bottom - rows, column: area.right - columns, columns: columns, rows: rows)
            if let local { local.region = corner; local.invalidate() } else { local = TerminalVideoRenderer(region: corner, configuration: configuration(2)) }
        } else {
            local = nil
        }
    }
}
