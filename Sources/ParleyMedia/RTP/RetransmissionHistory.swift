/// The packets a video sender keeps so it can send them again when the receiver reports
/// them lost (generic NACK, RFC 4585). Parley retransmits the original packet on its own
/// SSRC and sequence number (not RTX, RFC 4588): receivers that never ask — ffmpeg, a
/// recorder — see nothing new, and a receiver that asked takes the copy like the original.
///
/// Bounded three ways, since the requests come from the peer: the last `capacity`
/// packets, none older than `maximumAge`; a packet is sent again at most once per
/// `minimumResendInterval` (a request that crossed the copy on its way is not answered
/// twice); and all retransmissions share a byte budget that refills at `budgetBytesPerSecond`
/// (up to a quarter second's worth at once; a video sender gives it its current target
/// rate, so it shrinks with the bandwidth estimate), so a peer asking for everything can at
/// most double what the stream sends. No I/O.
public struct RetransmissionHistory: Sendable {
    private struct Entry: Sendable {
        var sequenceNumber: UInt16
        var datagram: [UInt8]
        var sentAt: UInt64
        var lastResent: UInt64?
    }

    /// Packets kept (a power of two, so a sequence number maps to one slot).
    public let capacity: Int
    public let maximumAge: UInt64
    public private(set) var budgetBytesPerSecond: Int
    public private(set) var packetsRetransmitted: Int64 = 0
    public private(set) var requestsReceived: Int64 = 0
    /// Requested packets not sent again: too old, not kept, just sent, or over budget.
    public private(set) var requestsRefused: Int64 = 0
    private var slots: [Entry?]
    private var tokens: Double
    private var lastRefill: UInt64?

    /// `capacity` is rounded up to a power of two within 16…4096.
    public init(capacity: Int = 1024, maximumAgeNanoseconds: UInt64 = 1_000_000_000, budgetBytesPerSecond: Int) {
        var slotCount = 16
        while slotCount < min(max(capacity, 16), 4096) { slotCount *= 2 }
        self.capacity = slotCount
        maximumAge = maximumAgeNanoseconds
        self.budgetBytesPerSecond = max(budgetBytesPerSecond, 16_000)
        slots = Array(repeating: nil, count: slotCount)
        tokens = Double(self.budgetBytesPerSecond) / 4
    }

    /// Follows the encoder's bit rate (the budget is that many bits per second, in bytes).
    public mutating func setBudget(bytesPerSecond: Int) {
        budgetBytesPerSecond = max(bytesPerSecond, 16_000)
    }

    /// Keeps `datagram`, the packet with `sequenceNumber`, as it was sent at `now`.
    public mutating func record(sequenceNumber: UInt16, datagram: [UInt8], nowNanoseconds now: UInt64) {
        slots[Int(sequenceNumber) & (capacity - 1)] = Entry(sequenceNumber: sequenceNumber, datagram: datagram, sentAt: now)
    }

    /// The datagrams to send again for a request naming `sequenceNumbers`, in that order.
    /// `roundTrip`: the path's round-trip time, if known (nanoseconds).
    public mutating func retransmissions(
        for sequenceNumbers: [UInt16], nowNanoseconds now: UInt64, roundTripNanoseconds roundTrip: UInt64? = nil
    ) -> [[UInt8]] {
        refill(now)
        requestsReceived += Int64(sequenceNumbers.count)
        let minimumResendInterval = max(min(roundTrip ?? 50_000_000, 500_000_000) / 2, 5_000_000)
        var datagrams: [[UInt8]] = []
        for sequence in sequenceNumbers {
            let slot = Int(sequence) & (capacity - 1)
            guard var entry = slots[slot], entry.sequenceNumber == sequence, now >= entry.sentAt, now - entry.sentAt <= maximumAge,
                  entry.lastResent.map({ now >= $0 && now - $0 >= minimumResendInterval }) ?? true,
                  tokens >= Double(entry.datagram.count)
            else {
                requestsRefused += 1
                continue
            }
            tokens -= Double(entry.datagram.count)
            entry.lastResent = now
            slots[slot] = entry
            datagrams.append(entry.datagram)
            packetsRetransmitted += 1
        }
        return datagrams
    }

    private mutating func refill(_ now: UInt64) {
        defer { lastRefill = now }
        guard let lastRefill, now > lastRefill else { return }
        let burst = Double(budgetBytesPerSecond) / 4
        tokens = min(burst, tokens + Double(now - lastRefill) / 1e9 * Double(budgetBytesPerSecond))
    }
}
