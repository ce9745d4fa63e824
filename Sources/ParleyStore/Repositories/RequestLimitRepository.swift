import Foundation
import GRDB

/// Token buckets that limit contact requests, kept in the database so a
/// restart does not hand strangers a fresh allowance.
public struct RequestLimitRepository: Sendable {
    let writer: DatabasePool

    /// Takes one token from the bucket `key` (holding at most `capacity`
    /// tokens, refilled at `refillPerSecond`) if one is left; says whether it did.
    /// Buckets that have refilled completely are forgotten now and then.
    public func take(_ key: String, capacity: Double, refillPerSecond: Double,
                     now: Date = Date()) throws(StoreError) -> Bool {
        try storeOperation {
            try writer.write { db in
                let nowMilliseconds = now.millisecondsSince1970
                var tokens = capacity
                if let row = try Row.fetchOne(db, sql: "SELECT tokens, updated_at FROM request_limits WHERE key = ?",
                                              arguments: [key]) {
                    let stored: Double = row["tokens"]
                    let updated: Int64 = row["updated_at"]
                    let elapsed = max(0, Double(nowMilliseconds - min(updated, nowMilliseconds)) / 1000)
                    tokens = min(capacity, max(0, stored) + elapsed * refillPerSecond)
                }
                let allowed = tokens >= 1
                if allowed { tokens -= 1 }
                try db.execute(sql: """
                    INSERT INTO request_limits (key, tokens, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at
                    """, arguments: [key, tokens, nowMilliseconds])
                // A bucket untouched for long enough to refill is the same as no bucket.
                let refillMilliseconds = Int64(clampingMilliseconds: capacity / max(refillPerSecond, 1e-9) * 1000)
                try db.execute(sql: "DELETE FROM request_limits WHERE updated_at < ?",
                               arguments: [nowMilliseconds &- refillMilliseconds])
                return allowed
            }
        }
    }
}
