/// What a call's media threads and its callers share: the stop latch, the switches of
/// `setSending` / `setReceiving`, the published statistics, liveness, lip sync and the
/// echo reference. Every field is behind a lock; the codecs are not (each is owned by
/// one thread).
final class CallMediaShared: Sendable {
    struct State {
        var sending: Set<CallMediaKind> = Set(CallMediaKind.allCases)
        var receiving: Set<CallMediaKind> = Set(CallMediaKind.allCases)
        /// Kinds whose source failed or ended: they send nothing more, whatever `sending` says.
        var failed: Set<CallMediaKind> = []
        /// The most the video may use (a group call's share of the uplink); nil: the plan's rate.
        var videoBitrateLimit: Int?
        var statistics = CallMediaStatistics()
        /// Rejections the demultiplexer could pin on a kind (its payload type, another SSRC).
        var rejected: [CallMediaKind: Int64] = [:]
        var lastReceived: UInt64?
        /// The audio playing now and the SR that maps it to the sender's clock (lip sync).
        var audioPlaying: (timestamp: UInt32, senderReport: RTCPSenderReport)?
        /// Frames the speaker was given with the time it was given each (monotonic
        /// nanoseconds), oldest first: the echo canceller's reference.
        var played: [(time: UInt64, frame: [Int16])] = []
        /// The video's estimate is about to probe the path past the rate last overused
        /// (video thread → receive thread), and the audio playout holds the reserve for it
        /// or plays nothing worth protecting (receive thread → video thread).
        var probeReserveWanted = false
        var probeReserveReady = true
    }

    let clock = MonotonicClock()
    let stop = StopLatch()
    let state = Locked(State())
    let onDeviceError: @Sendable (CallMediaDeviceError) -> Void

    /// At most this many played frames wait for the capture side (400 ms).
    static let echoReferenceFrames = 20

    init(onDeviceError: @escaping @Sendable (CallMediaDeviceError) -> Void) {
        self.onDeviceError = onDeviceError
    }

    func isSending(_ kind: CallMediaKind) -> Bool { state.withLock { $0.sending.contains(kind) && !$0.failed.contains(kind) } }
    func isReceiving(_ kind: CallMediaKind) -> Bool { state.withLock { $0.receiving.contains(kind) } }

    /// A device of `kind` failed: sending that kind stops for good and the caller hears of it.
    func deviceFailed(_ kind: CallMediaKind, _ message: String, stopsSending: Bool) {
        if stopsSending { state.withLock { _ = $0.failed.insert(kind) } }
        onDeviceError(CallMediaDeviceError(kind: kind, role: .source, message: message))
    }

    /// A sink of `kind` failed: that kind is received but played (or recorded) nowhere.
    func sinkFailed(_ kind: CallMediaKind, _ message: String) {
        onDeviceError(CallMediaDeviceError(kind: kind, role: .sink, message: message))
    }

    func update(_ body: (inout State) -> Void) {
        state.withLock(body)
    }

    /// The speaker was given `frame` at `time`.
    func pushPlayed(_ frame: [Int16], at time: UInt64) {
        state.withLock { state in
            state.played.append((time, frame))
            if state.played.count > Self.echoReferenceFrames { state.played.removeFirst(state.played.count - Self.echoReferenceFrames) }
        }
    }

    /// The echo reference for the microphone frame whose last sample came in at
    /// `captureTime`: the last frame the speaker was given when that frame's first sample
    /// came in (20 ms earlier), so the echo in it can only come later than the reference,
    /// as the canceller needs, by the device's and the room's delay. Older frames are
    /// dropped; nil when no frame was played by then. Matching by time, not by count,
    /// keeps the two aligned whichever thread started first.
    func takePlayed(capturedAt captureTime: UInt64) -> [Int16]? {
        let start = captureTime >= 20_000_000 ? captureTime - 20_000_000 : 0
        return state.withLock { state in
            guard let index = state.played.lastIndex(where: { $0.time <= start }) else { return nil }
            let frame = state.played[index].frame
            state.played.removeFirst(index + 1)
            return frame
        }
    }
}
