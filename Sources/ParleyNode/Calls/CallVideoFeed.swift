import ParleyMedia

/// The pictures of the call going on, for a viewer in this process (the terminal UI):
/// the peer's decoded video and our own camera (a self-view). Each keeps only its latest
/// frame, so a viewer that falls behind skips frames and never slows the call.
public final class CallVideoFeed: Sendable {
    /// The peer's video, as decoded.
    public let remote = VideoFrameTap()
    /// What our camera sends.
    public let local = VideoFrameTap()

    public init() {}

    /// Forgets both pictures (a call starts or ends).
    func clear() {
        remote.clear()
        local.clear()
    }
}
