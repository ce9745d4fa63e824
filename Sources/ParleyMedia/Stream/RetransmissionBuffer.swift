import Synchronization

/// A video sender's `RetransmissionHistory` behind a lock, so the thread that reads the
/// peer's RTCP can answer a NACK at once while the sending thread keeps recording.
public final class RetransmissionBuffer: Sendable {
    private let history: Mutex<(history: RetransmissionHistory, roundTrip: UInt64?)>

    public init(budgetBytesPerSecond: Int) {
        history = Mutex((RetransmissionHistory(budgetBytesPerSecond: budgetBytesPerSecond), nil))
    }

    /// Keeps one sent packet.
    public func record(sequenceNumber: UInt16, datagram: [UInt8], nowNanoseconds now: UInt64) {
        history.withLock { $0.history.record(sequenceNumber: sequenceNumber, datagram: datagram, nowNanoseconds: now) }
    }

    /// The datagrams to send again for `request`.
    public func answer(_ request: RTCPGenericNACK, nowNanoseconds now: UInt64) -> [[UInt8]] {
        history.withLock {
            $0.history.retransmissions(for: request.sequenceNumbers, nowNanoseconds: now, roundTripNanoseconds: $0.roundTrip)
        }
    }

    /// The round trip the sender measured from receiver reports (seconds).
    public func setRoundTrip(seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        history.withLock { $0.roundTrip = UInt64(min(seconds, 10) * 1e9) }
    }

    public func setBudget(bytesPerSecond: Int) {
        history.withLock { $0.history.setBudget(bytesPerSecond: bytesPerSecond) }
    }

    /// Packets sent again, and requested ones refused.
    public var counts: (retransmitted: Int64, refused: Int64) {
        history.withLock { ($0.history.packetsRetransmitted, $0.history.requestsRefused) }
    }
}
