import Foundation
import NIOConcurrencyHelpers
import ParleyCore

/// Limits contact requests from strangers: a few per peer, and a total, per time window.
final class ContactRequestGate: Sendable {
    private struct Limits {
        var perPeer = RateLimiter(capacity: 3, refillEvery: 600)
        var total = RateLimiter(capacity: 30, refillEvery: 60)
    }

    private let limits = NIOLockedValueBox(Limits())

    func allow(_ peer: ContactID, now: Date = Date()) -> Bool {
        limits.withLockedValue { limits in
            limits.perPeer.allow(peer.canonical, now: now) && limits.total.allow("all", now: now)
        }
    }
}
