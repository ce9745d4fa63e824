import ParleyMedia
import ParleyNode

/// The video pane's drawing state: the peer's picture over the whole pane and the
/// self-view in its bottom-right corner, each drawn when a new frame arrived, written over
/// the blank area curses keeps for it.
final class VideoPane {
    private var remoteSeen: UInt64 = 0
    private var localSeen: UInt64 = 0
    private var area: Rect?
    /// Whether a picture of the peer is on screen (the placeholder words are gone).
    private(set) var hasPicture = false

    /// A new call: nothing drawn yet.
    func reset() {
        remoteSeen = 0
        localSeen = 0
        area = nil
        hasPicture = false
    }

    /// The terminal was repainted or the pane moved: the next pictures are drawn whole.
    func invalidate() {
        area = nil
        remoteSeen = 0
        localSeen = 0
    }

    /// The bytes that draw what changed since the last call (empty when nothing new came).
    func update(feed: CallVideoFeed, area: Rect) -> [UInt8] {
        if area != self.area { invalidate(); self.area = area }
        var bytes: [UInt8] = []
        if let (frame, generation) = feed.remote.latest(after: remoteSeen) {
            remoteSeen = generation
            if frame != nil { hasPicture = true }
            _ = bytes
        }
        if let (_, generation) = feed.local.latest(after: localSeen) {
            localSeen = generation
        }
        return bytes
    }
}
