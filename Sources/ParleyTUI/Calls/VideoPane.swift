import ParleyMedia
import ParleyNode
import ParleyTerminalVideo

/// The video pane of a call: the peer's picture over the pane and our self-view as a
/// thumbnail in its bottom-right corner, each drawn when a new frame arrived (only the cells
/// that changed), written over the blank area curses keeps for the pane. A group call's
/// pane is a grid of tiles (``VideoTileLayout``): one per peer and our self-view last, each
/// with a label row under it — the name, "muted" when the peer's microphone is off, and
/// the one speaking now marked.
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
        didSet { remote = nil; local = nil; tiles = [] }
    }

    /// What a tile's label says about a peer.
    struct Label: Equatable {
        var name: String
        var muted = false
        var speaking = false
    }

    /// A group call's tile: its renderer, the peer's tap and what it last showed.
    private struct Tile {
        let contact: String
        let tap: VideoFrameTap?
        let renderer: TerminalVideoRenderer
        let label: Rect
        var seen: UInt64 = 0
        var shownLabel: Label?
    }

    private var tiles: [Tile] = []

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
        tiles = []
        hasPicture = false
    }

    /// The terminal was repainted or the pane moved: the next update draws everything again.
    func invalidate() {
        area = nil
        remote?.invalidate()
        local?.invalidate()
        for index in tiles.indices {
            tiles[index].renderer.invalidate()
            tiles[index].shownLabel = nil
        }
    }

    /// Bytes that take the pictures away (kitty images stay over the text otherwise).
    func clearBytes() -> [UInt8] {
        (remote?.clearBytes() ?? []) + (local?.clearBytes() ?? []) + tiles.flatMap { $0.renderer.clearBytes() }
    }

    /// The bytes that draw what changed since the last update in `area` (empty when nothing
    /// new arrived and nothing needs drawing again).
    func update(feed: CallVideoFeed, area: Rect, labels: [String: Label] = [:]) -> [UInt8] {
        let peers = feed.tiles
        if peers.count >= 2 { return updateGrid(feed: feed, peers: peers, area: area, labels: labels) }
        if !tiles.isEmpty {
            // Back to one peer: the grid's images go, the pane is laid out again.
            let cleared = tiles.flatMap { $0.renderer.clearBytes() } + Self.blankBytes(area)
            tiles = []
            self.area = nil
            return cleared + update(feed: feed, area: area, labels: labels)
        }
        let moved = area != self.area
        if moved { layOut(area) }
        var remoteChanged = moved, localChanged = moved
        if let (frame, generation) = (peers.first?.tap ?? feed.remote).latest(after: remoteSeen) {
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

    /// A group call: a tile per peer (in the order they joined) and our self-view last.
    private func updateGrid(feed: CallVideoFeed, peers: [CallVideoTile], area: Rect, labels: [String: Label]) -> [UInt8] {
        buffer.removeAll(keepingCapacity: true)
        let contacts = peers.map(\.contact) + ["self"]
        if area != self.area || tiles.map(\.contact) != contacts {
            for tile in tiles { buffer += tile.renderer.clearBytes() }
            if let remote { buffer += remote.clearBytes() }
            if let local { buffer += local.clearBytes() }
            remote = nil
            local = nil
            self.area = area
            // Blank the pane: cells of the earlier layout would stay where no tile draws.
            buffer += Self.blankBytes(area)
            let rects = VideoTileLayout.tiles(count: contacts.count, in: area)
            tiles = zip(contacts, rects).enumerated().map { index, pair in
                let (contact, rect) = pair
                let picture = CellRect(row: rect.row, column: rect.column, columns: max(1, rect.width - 1), rows: max(1, rect.height - 1))
                let tap = contact == "self" ? feed.local : peers.first { $0.contact == contact }?.tap
                return Tile(contact: contact, tap: tap, renderer: TerminalVideoRenderer(region: picture, configuration: configuration(UInt32(index + 1))),
                            label: Rect(row: rect.bottom - 1, column: rect.column, width: max(1, rect.width - 1), height: 1))
            }
        }
        let speaker = feed.activeSpeaker
        for index in tiles.indices {
            // A rebuilt tile has seen nothing yet, so its tap's current picture comes at once.
            if let tap = tiles[index].tap, let (frame, generation) = tap.latest(after: tiles[index].seen) {
                tiles[index].seen = generation
                if let frame {
                    tiles[index].renderer.render(frame, appendingTo: &buffer)
                    if tiles[index].contact != "self" { hasPicture = true }
                }
            }
            let contact = tiles[index].contact
            var label = contact == "self" ? Label(name: "you") : labels[contact] ?? Label(name: peers.first { $0.contact == contact }?.name ?? "?")
            label.speaking = contact != "self" && contact == speaker
            if label != tiles[index].shownLabel {
                tiles[index].shownLabel = label
                buffer += Self.labelBytes(label, in: tiles[index].label)
            }
        }
        return buffer
    }

    /// Spaces over every cell of `area` (in the terminal's default colours).
    static func blankBytes(_ area: Rect) -> [UInt8] {
        let spaces = String(repeating: " ", count: area.width)
        return Array((0 ..< area.height).map { "\u{1B}[\(area.row + $0 + 1);\(area.column + 1)H\u{1B}[0m\(spaces)" }.joined().utf8)
    }

    /// A tile's label row: the name (the speaker's in reverse video), "muted" after it.
    static func labelBytes(_ label: Label, in rect: Rect) -> [UInt8] {
        let text = (label.speaking ? "▶ " : "  ") + label.name.sanitizedForTerminal() + (label.muted ? " (muted)" : "")
        let shown = text.truncated(toColumns: rect.width)
        let padding = String(repeating: " ", count: max(0, rect.width - shown.displayWidth))
        let style = label.speaking ? "\u{1B}[0;7m" : "\u{1B}[0;2m"
        return Array("\u{1B}[\(rect.row + 1);\(rect.column + 1)H\(style)\(shown)\(padding)\u{1B}[0m".utf8)
    }

    private func configuration(_ imageID: UInt32) -> TerminalVideoRenderer.Configuration {
        TerminalVideoRenderer.Configuration(
            kind: style.kind,
            blocks: BlockVideoRenderer.Options(colors: style.colors, synchronizedOutput: style.synchronizedOutput,
                                               colorTolerance: 3, preservesCursor: false),
            cellPixelSize: style.cellPixelSize, imageID: imageID)
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
