/// Which lines of a conversation show in a viewport of `height` rows. The
/// offset counts lines up from the bottom, so new messages keep the view
/// pinned to the end unless the person scrolled up to read older ones.
public struct Scrollback: Sendable, Equatable {
    /// Lines above the newest one hidden below the viewport (0 = following the end).
    public private(set) var offsetFromBottom = 0

    public init() {}

    /// Whether the view follows new lines.
    public var isAtBottom: Bool { offsetFromBottom == 0 }

    /// The range of line indices to show, oldest first.
    public func visibleRange(totalLines: Int, height: Int) -> Range<Int> {
        guard totalLines > 0, height > 0 else { return 0..<0 }
        let offset = clampedOffset(offsetFromBottom, totalLines: totalLines, height: height)
        let end = totalLines - offset
        return max(0, end - height)..<end
    }

    /// Page Up: one page minus one line of overlap, never past the top.
    public mutating func pageUp(totalLines: Int, height: Int) {
        scroll(by: max(1, height - 1), totalLines: totalLines, height: height)
    }

    /// Page Down: back towards the end.
    public mutating func pageDown(totalLines: Int, height: Int) {
        scroll(by: -max(1, height - 1), totalLines: totalLines, height: height)
    }

    /// Scrolls `lines` up (positive) or down (negative).
    public mutating func scroll(by lines: Int, totalLines: Int, height: Int) {
        offsetFromBottom = clampedOffset(offsetFromBottom + lines, totalLines: totalLines, height: height)
    }

    /// Whether older lines than those shown exist (time to load more history).
    public func isAtTop(totalLines: Int, height: Int) -> Bool {
        visibleRange(totalLines: totalLines, height: height).lowerBound == 0
    }

    /// Back to the newest line.
    public mutating func scrollToBottom() { offsetFromBottom = 0 }

    /// Shows line `index` (e.g. a search hit) about a third from the top.
    public mutating func reveal(line index: Int, totalLines: Int, height: Int) {
        let wantedEnd = min(totalLines, index + height - height / 3)
        offsetFromBottom = clampedOffset(totalLines - wantedEnd, totalLines: totalLines, height: height)
    }

    /// Keeps the same lines on screen when `added` lines arrive below them
    /// while scrolled up (or `added` older lines are loaded above: pass 0).
    public mutating func linesAppended(_ added: Int) {
        if offsetFromBottom > 0 { offsetFromBottom += added }
    }

    private func clampedOffset(_ offset: Int, totalLines: Int, height: Int) -> Int {
        max(0, min(offset, totalLines - height))
    }
}
