import NIOConcurrencyHelpers
import ParleyCore

/// Where contacts were last heard on the local network (from their verified
/// beacons), kept in memory only: an address to try, not a trusted fact.
final class LANHints: Sendable {
    /// A hint not refreshed for this long (ten missed beacons) is dropped.
    static let lifetime: Duration = .seconds(300)

    private let hints = NIOLockedValueBox([ContactID: (address: PeerAddress, seen: ContinuousClock.Instant)]())

    init() {}

    /// Records where `id` was heard; returns whether the address is new for it.
    @discardableResult
    func record(_ address: PeerAddress, for id: ContactID, at now: ContinuousClock.Instant = .now) -> Bool {
        hints.withLockedValue { hints in
            defer { hints[id] = (address, now) }
            return hints[id]?.address != address
        }
    }

    /// The address `id` was heard at, if recently enough.
    func address(for id: ContactID, at now: ContinuousClock.Instant = .now) -> PeerAddress? {
        hints.withLockedValue { hints in
            guard let hint = hints[id] else { return nil }
            guard hint.seen.duration(to: now) <= Self.lifetime else {
                hints.removeValue(forKey: id)
                return nil
            }
            return hint.address
        }
    }

    func forget(_ id: ContactID) {
        _ = hints.withLockedValue { $0.removeValue(forKey: id) }
    }
}
