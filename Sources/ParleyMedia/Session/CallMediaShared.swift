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
        var statistics = CallMediaStatistics()
        /// Rejections the demultiplexer could pin on a kind (its payload type, another SSRC).
        var rejected: [CallMediaKind: Int64] = [:]
        var lastReceived: UInt64?
        /// The audio playing now and the SR that maps it to the sender's clock (lip sync).
        var audioPlaying: (timestamp: UInt32, senderReport: RTCPSenderReport)?
        /// Frames the speaker was given, oldest first: the echo canceller's reference.
        var played: [[Int16]] = []
    }

    let clock = MonotonicClock()
    let stop = StopLatch()
    let state = Locked(State())
    let onDeviceError: @Sendable (CallMediaDeviceError) -> Void

    /// At most this many played frames wait for the capture side (200 ms).
    static let echoReferenceFrames = 10

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

    func pushPlayed(_ frame: [Int16]) {
        state.withLock { state in
            state.played.append(frame)
            if state.played.count > Self.echoReferenceFrames { state.played.removeFirst(state.played.count - Self.echoReferenceFrames) }
        }
    }

    func takePlayed() -> [Int16]? {
        state.withLock { $0.played.isEmpty ? nil : $0.played.removeFirst() }
    }
}
