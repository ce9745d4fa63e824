import Crypto
import Foundation
import ParleyCore
import ParleyWire

/// One peer of a call (the call itself in a call between two), owned by ``CallManager``: its state machine, its log record,
/// both sides' descriptions and media states, and, once answered, its transport and media.
final class CallLeg {
    let id: UUID
    /// The peer (a participant vouched for by another, for a leg carried by it: not a contact).
    var peer: Contact
    /// The participant whose links carry this leg's signalling (CALL_RELAY) and, without an
    /// ICE pair, its media; nil: our own link with the peer.
    var via: Contact?
    var machine: CallMachine
    var record: CallRecord
    /// What we offered or answered, and what the peer did.
    var local: CallDescription?
    var remote: CallDescription?
    /// Whether the user wants video (the caller's `--video`, the callee's answer).
    var wantsVideo: Bool
    var devices: CallDevices
    let ringTimeout: Duration
    let ringStarted = ContinuousClock.now
    var answered: ContinuousClock.Instant?
    var localStates = CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true)
    var remoteStates = CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true)
    /// Devices that failed: inputs (we do not send that kind) and outputs (played nowhere).
    var inputErrors: [CallMediaOffer.Kind: String] = [:]
    var outputErrors: [CallMediaOffer.Kind: String] = [:]
    var transport: CallTransport?
    /// The IP addresses of the link the call's ICE last started over: a link that comes back
    /// from others (the host or the peer moved) restarts ICE.
    var linkAddresses: LinkAddresses?
    /// The peer's CALL_CANDIDATES that came before our transport existed (bounded).
    var pendingCandidates: [CallCandidates] = []
    var media: (any CallMediaLeg)?
    /// Timers and the link tunnel's writer; cancelled when the call ends.
    var tasks: [Task<Void, Never>] = []
    /// Frames other participants relay to this peer through us (CALL_RELAY), written by a
    /// task of their own: a slow link to the peer drops the oldest, never holds up the calls.
    var relayed: AsyncStream<CallFrame>.Continuation?
    var endedAt: ContinuousClock.Instant?

    /// `recordID`: the call log entry's ID; the call's own for its first leg, a fresh one for
    /// the other legs of a group call (one entry per peer).
    init(id: UUID, recordID: UUID? = nil, peer: Contact, direction: CallDirection, video: Bool, devices: CallDevices, ringTimeout: Duration) {
        self.id = id
        self.peer = peer
        machine = CallMachine(direction: direction)
        record = CallRecord(id: recordID ?? id, contactID: peer.id, direction: direction, video: video, startedAt: Date())
        wantsVideo = video
        self.devices = devices
        self.ringTimeout = ringTimeout
    }

    var state: CallMachine.State { machine.state }
    var isEnded: Bool { machine.state.isEnded }

    /// Whether we send `kind` right now: negotiated, not stopped by us, not refused by the
    /// peer, and its device works.
    func sending(_ kind: CallMediaOffer.Kind) -> Bool {
        guard let local, let remote, local.flow(kind, with: remote)?.send == true, inputErrors[kind] == nil else { return false }
        return kind == .audio ? localStates.audioOut && remoteStates.audioIn : localStates.videoOut && remoteStates.videoIn
    }

    /// Whether we play `kind` right now.
    func receiving(_ kind: CallMediaOffer.Kind) -> Bool {
        guard let local, let remote, local.flow(kind, with: remote)?.receive == true else { return false }
        return kind == .audio ? localStates.audioIn : localStates.videoIn
    }

    /// Whether the call has video on either side.
    var hasVideo: Bool {
        guard let local, let remote else { return wantsVideo }
        return local.offer(.video) != nil && remote.offer(.video) != nil
    }

    func status(now: ContinuousClock.Instant = .now) -> CallStatus {
        var end: CallEnd?
        if case .ended(let ended) = machine.state { end = ended }
        let endInstant = endedAt ?? now
        let duration = answered.map { Self.seconds(endInstant - $0) }
        let ringLeft = machine.state.isRinging ? max(0, Self.seconds(ringTimeout - (now - ringStarted))) : nil
        var localShown = localStates, remoteShown = remoteStates
        if media != nil || isEnded {
            localShown.audioOut = sending(.audio)
            localShown.videoOut = sending(.video)
            localShown.audioIn = receiving(.audio)
            localShown.videoIn = receiving(.video)
            if let local, let remote {
                remoteShown.audioOut = remoteShown.audioOut && remote.flow(.audio, with: local)?.send == true
                remoteShown.videoOut = remoteShown.videoOut && remote.flow(.video, with: local)?.send == true
                remoteShown.audioIn = remoteShown.audioIn && remote.flow(.audio, with: local)?.receive == true
                remoteShown.videoIn = remoteShown.videoIn && remote.flow(.video, with: local)?.receive == true
            }
        }
        var statistics = media?.statistics()
        statistics?.mediaPath = mediaPath
        return CallStatus(
            id: id.uuidString, contact: peer.id.grouped, name: peer.name, direction: record.direction.rawValue,
            state: machine.state.name, video: hasVideo, startedAt: record.startedAt, answeredAt: record.answeredAt,
            endedAt: record.endedAt, duration: duration, ringRemaining: ringLeft, reason: end?.cause.rawValue,
            by: end?.byPeer.map { $0 ? "peer" : "local" }, detail: end?.detail, local: localShown, remote: remoteShown,
            mediaPath: media == nil ? nil : mediaPath, remoteAddress: transport?.selectedPair?.remote,
            localAddress: transport?.selectedPair?.local, iceErrors: transport.flatMap { $0.errors.isEmpty ? nil : $0.errors },
            iceRestarts: transport?.restarts,
            deviceErrors: (inputErrors.sorted { $0.key.rawValue < $1.key.rawValue } + outputErrors.sorted { $0.key.rawValue < $1.key.rawValue })
                .map { "\($0.key == .audio ? "audio" : "video"): \($0.value)" },
            statistics: statistics,
            keys: local.flatMap { local in remote.map { remote in
                ["send": Self.fingerprint(local.srtpKey), "receive": Self.fingerprint(remote.srtpKey)]
            } })
    }

    /// The path of the media (see ``CallMediaPath``): through a third participant's links
    /// when the leg is carried by one and has no ICE pair.
    var mediaPath: String? {
        guard let path = transport?.path else { return nil }
        return (path == .link && via != nil ? CallMediaPath.forwarded : path).rawValue
    }

    static func fingerprint(_ key: [UInt8]) -> String {
        SHA256.hash(data: key).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
