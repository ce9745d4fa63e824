/// Throughput in bytes per second, smoothed exponentially over samples of a growing byte
/// count. The one smoother of transfers: the outgoing stream sizes its window with it and
/// `file list` shows it.
struct RateMeter: Sendable {
    /// How much a new sample counts against the smoothed rate (0…1).
    let newSampleWeight: Double
    /// Samples closer together than this are skipped (too noisy to count).
    let minimumInterval: Duration
    private var last: (at: ContinuousClock.Instant, bytes: UInt64)?
    /// The smoothed rate; 0 until two samples were taken.
    private(set) var bytesPerSecond: Double = 0

    init(newSampleWeight: Double, minimumInterval: Duration = .zero) {
        self.newSampleWeight = newSampleWeight
        self.minimumInterval = minimumInterval
    }

    /// Records that `bytes` have moved in all by `now`. A count that went backwards starts over.
    mutating func record(_ bytes: UInt64, at now: ContinuousClock.Instant) {
        guard let last else {
            self.last = (now, bytes)
            return
        }
        guard bytes >= last.bytes else {
            self.last = (now, bytes)
            return
        }
        let elapsed = last.at.duration(to: now)
        guard elapsed >= minimumInterval else { return }
        let seconds = max(Self.seconds(elapsed), 1e-6)
        let instant = Double(bytes - last.bytes) / seconds
        bytesPerSecond = bytesPerSecond == 0 ? instant : (1 - newSampleWeight) * bytesPerSecond + newSampleWeight * instant
        self.last = (now, bytes)
    }

    /// The rate, unless the last sample is older than `staleAfter` (the transfer stalled).
    func current(at now: ContinuousClock.Instant, staleAfter: Duration = .seconds(3)) -> Double? {
        guard let last, last.at.duration(to: now) < staleAfter else { return nil }
        return bytesPerSecond
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
