import ParleyMedia

/// A statistics snapshot of a running `parley stream` (one JSON line per report).
public struct StreamReport: Codable, Equatable, Sendable {
    /// Seconds since the stream started.
    public var elapsedSeconds: Double
    /// The last report, printed when the stream ends.
    public var final: Bool
    public var sent: [SentStreamStatistics]
    public var received: [ReceivedStreamStatistics]

    public init(elapsedSeconds: Double, final: Bool, sent: [SentStreamStatistics] = [], received: [ReceivedStreamStatistics] = []) {
        self.elapsedSeconds = elapsedSeconds
        self.final = final
        self.sent = sent
        self.received = received
    }
}

/// Builds reports from the streams' published statistics.
final class StreamReporter: Sendable {
    let started: UInt64
    let sent = SharedValue<[MediaDescription.Kind: SentStreamStatistics]>([:])
    let received = SharedValue<[MediaDescription.Kind: ReceivedStreamStatistics]>([:])

    init(started: UInt64) {
        self.started = started
    }

    func report(final: Bool) -> StreamReport {
        let order = MediaDescription.Kind.allCases
        return StreamReport(
            elapsedSeconds: Double(MonotonicClock().nowNanoseconds() - started) / 1e9, final: final,
            sent: order.compactMap { sent.value[$0] }, received: order.compactMap { received.value[$0] })
    }

    /// Calls `deliver` every `interval` seconds (never when nil) until cancelled.
    func run(every interval: Double?, deliver: @Sendable (StreamReport) -> Void) async {
        guard let interval else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            if Task.isCancelled { return }
            deliver(report(final: false))
        }
    }
}
