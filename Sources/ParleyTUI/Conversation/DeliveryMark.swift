import ParleyCore

/// The mark after an own message: where it is on its way to the peer.
public enum DeliveryMark {
    /// `·` queued, `✓` sent, `✓✓` delivered, `✔✔` read, `✗ failed` (red).
    public static func span(for state: MessageState) -> StyledSpan {
        switch state {
        case .queued: StyledSpan("·", .dim)
        case .sent: StyledSpan("✓", .dim)
        case .delivered: StyledSpan("✓✓", .dim)
        case .read: StyledSpan("✔✔", .success)
        case .failed: StyledSpan("✗ failed", .error)
        }
    }

    /// The legend shown in /help.
    public static let legend = "· queued   ✓ sent   ✓✓ delivered   ✔✔ read   ✗ failed"
}
