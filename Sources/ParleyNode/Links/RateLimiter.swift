import Foundation

/// Token buckets that limit contact requests per peer and in total.
struct RateLimiter: Sendable {
    struct Bucket: Sendable {
        var tokens: Double
        var updated: Date
    }

    let capacity: Double
    let refillPerSecond: Double
    private var buckets: [String: Bucket] = [:]

    init(capacity: Double, refillEvery interval: TimeInterval) {
        self.capacity = capacity
        self.refillPerSecond = 1 / interval
    }

    /// Takes a token for `key` if one is left.
    mutating func allow(_ key: String, now: Date = Date()) -> Bool {
        var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
        bucket.tokens = min(capacity, bucket.tokens + now.timeIntervalSince(bucket.updated) * refillPerSecond)
        bucket.updated = now
        guard bucket.tokens >= 1 else {
            buckets[key] = bucket
            return false
        }
        bucket.tokens -= 1
        buckets[key] = bucket
        if buckets.count > 10_000 { buckets = buckets.filter { $0.value.tokens < capacity } }
        return true
    }
}
