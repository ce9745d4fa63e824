/// The receiving side of retransmission (generic NACK, RFC 4585) for one video stream:
/// which missing packets to ask for now, when to ask again, and when to give up on one
/// so the frame it belongs to is dropped and a keyframe is asked for instead.
///
/// A packet counts as missing once a later one arrived. It is asked for at once, again
/// every round trip (plus a quarter, at least 20 ms) up to `maximumRequests` times, and
/// given up `wait` after it went missing: four round trips plus 60 ms, within
/// 200 ms…1 s. Giving up costs the frames held behind the hole and a keyframe's round
/// trip, so a few more tries (each fails with the loss rate squared) cost less on
/// average than giving up early. The round trip is measured here, from each request to the arrival of
/// a packet asked for only once (Karn's rule), 100 ms until the first sample.
///
/// Sequence numbers are the receiver's unwrapped 64-bit ones. Bounded: a gap wider than
/// `maximumMissing` is given up at once (a keyframe costs less), and so are the oldest
/// entries when more than that many are missing. No I/O.
public struct RetransmissionRequests: Sendable {
    private struct Missing: Sendable {
        var noticed: UInt64
        var nextRequest: UInt64
        var lastRequest: UInt64?
        var requests: Int
    }

    public let maximumRequests: Int
    public let maximumMissing: Int
    /// The measured round trip (nanoseconds).
    public private(set) var roundTrip: UInt64 = 100_000_000
    /// NACK sequence numbers sent (each request of each packet counts).
    public private(set) var packetsRequested: Int64 = 0
    /// Packets that arrived after they were asked for.
    public private(set) var packetsRecovered: Int64 = 0
    /// Packets given up on.
    public private(set) var packetsAbandoned: Int64 = 0
    private var missing: [Int64: Missing] = [:]
    private var order = AscendingSequenceNumbers()
    private var highest: Int64?
    /// Everything up to here is given up on, and the caller has not heard it yet.
    private var pendingAbandon: Int64?

    public init(maximumRequests: Int = 6, maximumMissing: Int = 256) {
        self.maximumRequests = max(1, maximumRequests)
        self.maximumMissing = max(1, maximumMissing)
    }

    /// How long a missing packet is waited for.
    public var wait: UInt64 { min(max(4 * roundTrip + 60_000_000, 200_000_000), 1_000_000_000) }

    private var retryInterval: UInt64 { max(roundTrip + roundTrip / 4, 20_000_000) }

    /// Whether packets are missing (the caller then polls often).
    public var isWaiting: Bool { !missing.isEmpty || pendingAbandon != nil }

    /// Records the arrival of `sequence` at `now`.
    public mutating func received(_ sequence: Int64, nowNanoseconds now: UInt64) {
        guard let highest else {
            self.highest = sequence
            return
        }
        if sequence > highest {
            self.highest = sequence
            let gap = sequence - highest - 1
            guard gap > 0 else { return }
            guard gap <= Int64(maximumMissing) else {
                abandon(through: sequence - 1)
                return
            }
            for lost in highest + 1 ..< sequence {
                missing[lost] = Missing(noticed: now, nextRequest: now, lastRequest: nil, requests: 0)
                order.insert(lost)
            }
            if missing.count > maximumMissing {
                abandon(through: order[missing.count - maximumMissing - 1])
            }
        } else if let found = missing.removeValue(forKey: sequence) {
            order.remove(sequence)
            guard found.requests > 0 else { return }   // reordered, not retransmitted
            packetsRecovered += 1
            if found.requests == 1, let asked = found.lastRequest, now >= asked {
                let sample = min(now - asked, 2_000_000_000)
                roundTrip = (roundTrip * 7 + sample) / 8
            }
        }
    }

    /// The packets to ask for now (each at most `maximumRequests` times), ascending.
    public mutating func requestsDue(nowNanoseconds now: UInt64, limit: Int = 256) -> [Int64] {
        var due: [Int64] = []
        for sequence in order.elements(after: .min) {
            guard due.count < limit else { break }
            guard var entry = missing[sequence], entry.requests < maximumRequests, entry.nextRequest <= now else { continue }
            entry.requests += 1
            entry.lastRequest = now
            entry.nextRequest = now + retryInterval
            missing[sequence] = entry
            due.append(sequence)
        }
        packetsRequested += Int64(due.count)
        return due
    }

    /// The last sequence number given up on since the previous call (the missing packets
    /// up to it waited `wait`, or were too many), or nil.
    public mutating func abandoned(nowNanoseconds now: UInt64) -> Int64? {
        var through = pendingAbandon
        pendingAbandon = nil
        for sequence in order.elements(after: .min) {
            guard let entry = missing[sequence], now >= entry.noticed, now - entry.noticed >= wait else { break }
            through = sequence
        }
        if let through { forget(through: through, counting: true) }
        return through
    }

    /// Stops asking for packets before `sequence` (the frames they belonged to are done).
    public mutating func forget(before sequence: Int64) {
        guard let first = order.elements(after: .min).first, first < sequence else { return }
        forget(through: sequence - 1, counting: false)
    }

    private mutating func abandon(through sequence: Int64) {
        forget(through: sequence, counting: true)
        pendingAbandon = max(pendingAbandon ?? .min, sequence)
    }

    private mutating func forget(through sequence: Int64, counting: Bool) {
        let removed = order.count(before: sequence == .max ? sequence : sequence + 1)
        for index in 0 ..< removed { missing[order[index]] = nil }
        if counting { packetsAbandoned += Int64(removed) }
        order.removeAll(before: sequence == .max ? sequence : sequence + 1)
    }
}
