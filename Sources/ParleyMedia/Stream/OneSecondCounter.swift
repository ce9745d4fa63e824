/// Sums amounts over the last second (a sliding window), for the rates in the stream
/// statistics: bytes for bit rates, one per frame for frames per second.
struct OneSecondCounter: Sendable {
    private var entries: [(time: UInt64, amount: Int)] = []
    private var sum = 0

    mutating func record(_ amount: Int = 1, nowNanoseconds now: UInt64) {
        entries.append((now, amount))
        sum += amount
        trim(now)
    }

    /// The amounts recorded in the second before `now`.
    mutating func total(nowNanoseconds now: UInt64) -> Int {
        trim(now)
        return sum
    }

    private mutating func trim(_ now: UInt64) {
        var drop = 0
        while drop < entries.count, entries[drop].time + 1_000_000_000 <= now {
            sum -= entries[drop].amount
            drop += 1
        }
        if drop > 0 { entries.removeFirst(drop) }
    }
}
