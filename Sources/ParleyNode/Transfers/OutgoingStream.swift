import NIOConcurrencyHelpers

/// Flow control for one outgoing transfer: how many bytes may be in flight,
/// sized from the measured throughput and round-trip time, between 1 and 8 MiB.
final class OutgoingStream: Sendable {
    static let minimumWindow: UInt64 = 1 << 20
    static let maximumWindow: UInt64 = 8 << 20

    private struct State {
        var acked: UInt64
        var window: UInt64 = 4 << 20
        var smoothedRTT: Double = 0.002
        /// Acknowledged bytes per second: sizes the window, and is the rate `file list` shows.
        var rate: RateMeter
        var sendTimes: [(offset: UInt64, at: ContinuousClock.Instant)] = []
    }

    private let state: NIOLockedValueBox<State>
    let ackArrived = Wakeup()

    init(startingAt offset: UInt64) {
        var rate = RateMeter(newSampleWeight: 0.1)
        rate.record(offset, at: .now)
        state = NIOLockedValueBox(State(acked: offset, rate: rate))
    }

    var acked: UInt64 { state.withLockedValue(\.acked) }

    /// Acknowledged bytes per second lately; nil when no acknowledgement came for a while.
    var bytesPerSecond: Double? { state.withLockedValue { $0.rate.current(at: .now) } }

    /// Whether `next` (the offset about to be sent) is within the window.
    func maySend(_ next: UInt64) -> Bool {
        state.withLockedValue { next - min(next, $0.acked) < $0.window }
    }

    func sent(upTo offset: UInt64) {
        state.withLockedValue { state in
            state.sendTimes.append((offset, .now))
            if state.sendTimes.count > 512 { state.sendTimes.removeFirst(256) }
        }
    }

    /// Records an acknowledgement and re-sizes the window: 2 × rate × RTT.
    func acknowledge(_ offset: UInt64) {
        state.withLockedValue { state in
            guard offset > state.acked else { return }
            let now = ContinuousClock.now
            if let sample = state.sendTimes.last(where: { $0.offset <= offset }) {
                let rtt = RateMeter.seconds(sample.at.duration(to: now))
                state.smoothedRTT = 0.875 * state.smoothedRTT + 0.125 * rtt
            }
            state.rate.record(offset, at: now)
            state.sendTimes.removeAll { $0.offset <= offset }
            state.acked = offset
            let wanted = 2 * state.rate.bytesPerSecond * state.smoothedRTT
            state.window = wanted.isFinite && wanted < Double(Self.maximumWindow)
                ? max(Self.minimumWindow, UInt64(max(0, wanted))) : Self.maximumWindow
        }
        ackArrived.signal()
    }
}
