/// Capped exponential backoff with jitter, for reconnect attempts.
struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var attempt = 0

    init(initial: Duration = .seconds(1), maximum: Duration = .seconds(60)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next delay: initial × 2^attempt, capped, with ±20 % jitter.
    mutating func next() -> Duration {
        let base = min(initial * (1 << min(attempt, 16)), maximum)
        attempt += 1
        return base * Double.random(in: 0.8...1.2)
    }

    mutating func reset() { attempt = 0 }
}
