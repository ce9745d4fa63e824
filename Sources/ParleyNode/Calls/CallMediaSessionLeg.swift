import ParleyMedia
import ParleyWire

/// The media engine's two-way session (``CallMediaSession``) as one leg's media: takes its
/// branches of the call's devices (``CallDeviceHub``: a device that fails is reported and
/// left out; the call goes on) and derives the session's plan from both sides' descriptions.
final class CallMediaSessionLeg: CallMediaLeg {
    let session: CallMediaSession

    private init(session: CallMediaSession) {
        self.session = session
    }

    static func start(_ request: CallMediaRequest) throws -> any CallMediaLeg {
        let local = request.local, remote = request.remote
        let audio = local.flow(.audio, with: remote), video = local.flow(.video, with: remote)
        let plan = CallMediaPlan(
            audio: audio.map { CallMediaPlan.Direction(send: $0.send, receive: $0.receive) },
            video: video.map { CallMediaPlan.Direction(send: $0.send, receive: $0.receive) },
            localAudioSSRC: local.offer(.audio)?.ssrc ?? 0, localVideoSSRC: local.offer(.video)?.ssrc ?? 0,
            remoteAudioSSRC: remote.offer(.audio)?.ssrc ?? 0, remoteVideoSSRC: remote.offer(.video)?.ssrc ?? 0,
            sendKey: try SRTPKeyingMaterial(bytes: local.srtpKey), receiveKey: try SRTPKeyingMaterial(bytes: remote.srtpKey),
            audioBitrate: request.settings.audioBitrate, videoBitrate: request.settings.videoBitrate,
            frameRate: Int(local.offer(.video)?.frameRate ?? 30).clamped(to: 1 ... 60))
        let devices = request.hub.devices
        /// A shared device's branch; a device that cannot be used is reported (the call goes on without it).
        func take<T>(_ kind: CallMediaOffer.Kind, input: Bool, _ result: Result<T?, CallDeviceHub.Failure>) -> T? {
            switch result {
            case .success(let value): return value
            case .failure(let failure):
                request.deviceError(kind, input, failure.message)
                return nil
            }
        }
        let audioSource = audio?.send == true ? take(.audio, input: true, request.hub.audioSource()) : nil
        let audioSink = audio?.receive == true
            ? take(.audio, input: false, request.hub.audioSink(for: request.peerID, name: request.peerName)) : nil
        let videoSource = video?.send == true ? take(.video, input: true, request.hub.videoSource()) : nil
        // Received video is decoded even with no output device, for a viewer in this process.
        let videoSink: (any VideoSink)? = video?.receive == true
            ? take(.video, input: false, request.hub.videoSink(for: request.peerID, name: request.peerName).map { Optional($0) }) : nil
        if audio?.send == true, audioSource == nil, devices.audioInput == nil {
            request.deviceError(.audio, true, "no microphone configured (audio_input); sending no audio")
        }
        if video?.send == true, videoSource == nil, devices.videoInput == nil {
            request.deviceError(.video, true, "no camera configured (video_input); sending no video")
        }
        let voiceProcessing: Bool = switch request.settings.voiceProcessing {
        case .on: true
        case .off: false
        case .auto: (devices.audioInput?.hasPrefix("alsa:") ?? false) && (devices.audioOutput?.hasPrefix("alsa:") ?? false)
        }
        let deviceError = request.deviceError
        let session = try CallMediaSession(
            plan: plan, audioSource: audioSource, audioSink: audioSink, videoSource: videoSource, videoSink: videoSink,
            transport: request.transport, voiceProcessing: voiceProcessing,
            onDeviceError: { error in
                // Sources that fail or end stop that kind's sending; failed sinks play it nowhere.
                deviceError(error.kind == .audio ? .audio : .video, error.role == .source, error.message)
            })
        session.start()
        return CallMediaSessionLeg(session: session)
    }

    func receive(_ datagram: [UInt8], onAuthenticated: (@Sendable () -> Void)?) {
        session.receive(datagram, onAuthenticated: onAuthenticated)
    }

    func setSending(_ kind: CallMediaOffer.Kind, _ on: Bool) { session.setSending(kind == .audio ? .audio : .video, on) }

    func setReceiving(_ kind: CallMediaOffer.Kind, _ on: Bool) { session.setReceiving(kind == .audio ? .audio : .video, on) }

    var lastReceivedNanoseconds: UInt64? { session.lastReceivedNanoseconds }

    func stop() { session.stop() }

    func setVideoBitrateLimit(_ bitrate: Int) { session.setVideoBitrateLimit(bitrate) }

    var peerSaidGoodbye: Bool {
        let received = session.statistics().received
        return !received.isEmpty && received.values.allSatisfy(\.byeReceived)
    }

    func statistics() -> CallStatistics { CallStatistics(session.statistics()) }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
