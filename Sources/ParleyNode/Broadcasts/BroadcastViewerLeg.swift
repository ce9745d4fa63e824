import ParleyMedia
import ParleyWire

/// One viewer of our broadcast as a call leg's media: the broadcast's one encoding,
/// protected under this viewer's own key (``BroadcastViewer``); the viewer's RTCP comes
/// back through the leg's transport. Nothing is received or played.
final class BroadcastViewerLeg: CallMediaLeg {
    private let viewer: BroadcastViewer

    /// Adds the viewer to the broadcast: our description's key protects what it gets, its
    /// description's key authenticates its RTCP.
    init(broadcast: BroadcastSender, local: CallDescription, remote: CallDescription, transport: CallTransport) throws {
        viewer = try broadcast.addViewer(sendKey: try SRTPKeyingMaterial(bytes: local.srtpKey),
                                         receiveKey: try SRTPKeyingMaterial(bytes: remote.srtpKey), transport: transport)
    }

    func receive(_ datagram: [UInt8], onAuthenticated: (@Sendable () -> Void)?) {
        viewer.receive(datagram, onAuthenticated: onAuthenticated)
    }

    /// A broadcast mutes for every viewer at once (``BroadcastSender/setSending(_:_:)``).
    func setSending(_ kind: CallMediaOffer.Kind, _ on: Bool) {}
    func setReceiving(_ kind: CallMediaOffer.Kind, _ on: Bool) {}
    /// One encoding serves every viewer: no per-viewer ceiling.
    func setVideoBitrateLimit(_ bitrate: Int) {}

    func statistics() -> CallStatistics { CallStatistics(viewer.statistics()) }

    var lastReceivedNanoseconds: UInt64? { viewer.lastReceivedNanoseconds }
    var peerSaidGoodbye: Bool { viewer.saidGoodbye }

    func stop() { viewer.leave() }
}
