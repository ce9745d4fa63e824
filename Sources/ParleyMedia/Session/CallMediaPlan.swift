/// What one side of a call sends and receives, as negotiated.
///
/// SSRCs are signalled both ways: the session sends its streams (and its RTCP) with the
/// local ones and accepts RTP and RTCP only from the remote ones. Keys are fresh per call
/// and per direction (`SRTPKeyingMaterial.random()`): what we send is protected with
/// `sendKey`, which is the peer's `receiveKey`, and the other way round.
public struct CallMediaPlan: Sendable {
    /// Whether a kind is sent, received, or both (`nil` in the plan: not in the call at all).
    public struct Direction: Sendable, Equatable {
        public var send: Bool
        public var receive: Bool

        public init(send: Bool, receive: Bool) {
            self.send = send
            self.receive = receive
        }

        public static let sendAndReceive = Direction(send: true, receive: true)
        public static let sendOnly = Direction(send: true, receive: false)
        public static let receiveOnly = Direction(send: false, receive: true)
    }

    /// nil: no audio in this call.
    public var audio: Direction?
    /// nil: no video.
    public var video: Direction?
    /// What we send with.
    public var localAudioSSRC: UInt32
    public var localVideoSSRC: UInt32
    /// What the peer sends with (signalled).
    public var remoteAudioSSRC: UInt32
    public var remoteVideoSSRC: UInt32
    /// Protects what we send (fresh per call and direction).
    public var sendKey: SRTPKeyingMaterial
    /// Unprotects what the peer sends.
    public var receiveKey: SRTPKeyingMaterial
    /// Opus bit rate, bits per second (16 000…64 000, as `parley stream`).
    public var audioBitrate: Int
    /// VP8 target bit rate, bits per second (50 000…20 000 000).
    public var videoBitrate: Int
    /// Opus encoder complexity (0…10). In-band FEC starts off and follows the loss the
    /// peer's receiver reports (a clean path costs no FEC).
    public var audioComplexity: Int = 10
    /// Frames per second the VP8 encoder is set up for (1…120; the camera paces capture).
    public var frameRate: Int

    public init(
        audio: Direction?, video: Direction?,
        localAudioSSRC: UInt32, localVideoSSRC: UInt32, remoteAudioSSRC: UInt32, remoteVideoSSRC: UInt32,
        sendKey: SRTPKeyingMaterial, receiveKey: SRTPKeyingMaterial,
        audioBitrate: Int = 32_000, videoBitrate: Int = 800_000, frameRate: Int = 30
    ) {
        self.audio = audio
        self.video = video
        self.localAudioSSRC = localAudioSSRC
        self.localVideoSSRC = localVideoSSRC
        self.remoteAudioSSRC = remoteAudioSSRC
        self.remoteVideoSSRC = remoteVideoSSRC
        self.sendKey = sendKey
        self.receiveKey = receiveKey
        self.audioBitrate = audioBitrate
        self.videoBitrate = videoBitrate
        self.frameRate = frameRate
    }

    /// The direction of `kind` (nil: not in the call).
    public func direction(_ kind: CallMediaKind) -> Direction? {
        switch kind {
        case .audio: audio
        case .video: video
        }
    }

    /// The plan of the peer: the same call seen from the other side (directions, SSRCs
    /// and keys swapped). For tests and for a caller that builds both ends.
    public var mirrored: CallMediaPlan {
        CallMediaPlan(
            audio: audio.map { Direction(send: $0.receive, receive: $0.send) },
            video: video.map { Direction(send: $0.receive, receive: $0.send) },
            localAudioSSRC: remoteAudioSSRC, localVideoSSRC: remoteVideoSSRC,
            remoteAudioSSRC: localAudioSSRC, remoteVideoSSRC: localVideoSSRC,
            sendKey: receiveKey, receiveKey: sendKey,
            audioBitrate: audioBitrate, videoBitrate: videoBitrate, frameRate: frameRate)
    }

    /// Why the plan cannot be run (nil when it can).
    public var problem: String? {
        if sendKey == receiveKey {
            return "the send and receive keys are equal; use a fresh SRTPKeyingMaterial.random() per direction"
        }
        if audio != nil && video != nil {
            if localAudioSSRC == localVideoSSRC { return "the local audio and video SSRCs are equal (\(localAudioSSRC))" }
            if remoteAudioSSRC == remoteVideoSSRC { return "the remote audio and video SSRCs are equal (\(remoteAudioSSRC))" }
        }
        if audio != nil, !(16_000 ... 64_000).contains(audioBitrate) {
            return "audio bit rate \(audioBitrate) is outside 16000...64000 b/s"
        }
        if video != nil {
            if !(50_000 ... 20_000_000).contains(videoBitrate) { return "video bit rate \(videoBitrate) is outside 50000...20000000 b/s" }
            if !(1 ... 120).contains(frameRate) { return "frame rate \(frameRate) is outside 1...120" }
        }
        return nil
    }
}
