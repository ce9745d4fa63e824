import NIOConcurrencyHelpers
import ParleyMedia

/// The pictures of the call going on, for a viewer in this process (the terminal UI):
/// each peer's decoded video and our own camera (a self-view), and who is speaking. Each
/// picture keeps only its latest frame, so a viewer that falls behind skips frames and
/// never slows the call.
public final class CallVideoFeed: Sendable {
    /// The first peer's video, as decoded.
    public let remote = VideoFrameTap()
    /// What our camera sends.
    public let local = VideoFrameTap()

    private struct Peer {
        var tile: CallVideoTile
        var loudness: (@Sendable () -> Double)?
    }

    private let peers = NIOLockedValueBox<[Peer]>([])

    public init() {}

    /// Every peer's picture in the order they joined (the first one's tap is `remote`).
    public var tiles: [CallVideoTile] { peers.withLockedValue { $0.map(\.tile) } }

    /// The contact ID (grouped) of the peer heard loudest now, if anyone speaks up.
    public var activeSpeaker: String? {
        let levels = peers.withLockedValue { $0.map { ($0.tile.contact, $0.loudness) } }.compactMap { contact, loudness in
            loudness.map { (contact, $0()) }
        }
        guard let loudest = levels.max(by: { $0.1 < $1.1 }), loudest.1 >= Self.speakingLevel else { return nil }
        return loudest.0
    }

    /// The mean absolute amplitude (of 32767) over which a peer counts as speaking.
    static let speakingLevel = 300.0

    /// A peer's picture goes to `tap` (replacing an earlier tile of the same peer).
    func addTile(contact: String, name: String, tap: VideoFrameTap) {
        peers.withLockedValue { peers in
            if let index = peers.firstIndex(where: { $0.tile.contact == contact }) {
                peers[index].tile = CallVideoTile(contact: contact, name: name, tap: tap)
            } else {
                peers.append(Peer(tile: CallVideoTile(contact: contact, name: name, tap: tap)))
            }
        }
    }

    /// How loud a peer is now (its playout into the mix).
    func setLoudness(contact: String, name: String, _ loudness: @escaping @Sendable () -> Double) {
        peers.withLockedValue { peers in
            if let index = peers.firstIndex(where: { $0.tile.contact == contact }) {
                peers[index].loudness = loudness
            } else {
                peers.append(Peer(tile: CallVideoTile(contact: contact, name: name, tap: nil), loudness: loudness))
            }
        }
    }

    /// A peer left the call.
    func removeTile(contact: String) {
        peers.withLockedValue { $0.removeAll { $0.tile.contact == contact } }
    }

    /// Forgets every picture (a call starts or ends).
    func clear() {
        remote.clear()
        local.clear()
        peers.withLockedValue { $0.removeAll() }
    }
}

/// One peer's place on the call screen of a group call.
public struct CallVideoTile: Sendable {
    /// The peer's contact ID (grouped).
    public let contact: String
    public let name: String
    /// Its decoded pictures (nil: it sends no video to us).
    public let tap: VideoFrameTap?
}
