import NIOConcurrencyHelpers
import ParleyCore

/// Where contacts were last heard on the local network (from their verified
/// beacons), kept in memory only: an address to try, not a trusted fact.
/// One address per contact and family (IPv4, IPv6).
final class LANHints: Sendable {
    /// A hint not refreshed for this long (ten missed beacons) is dropped.
    static let lifetime: Duration = .seconds(300)

    private struct Key: Hashable {
        let id: ContactID
        let isIPv6: Bool
    }

    private let hints = NIOLockedValueBox([Key: (address: PeerAddress, seen: ContinuousClock.Instant)]())

    init() {}

    /// Records where `id` was heard; returns whether the address is new for it (in its family).
    @discardableResult
    func record(_ address: PeerAddress, for id: ContactID, at now: ContinuousClock.Instant = .now) -> Bool {
        let key = Key(id: id, isIPv6: address.host.contains(":"))
        return hints.withLockedValue { hints in
            defer { hints[key] = (address, now) }
            return hints[key]?.address != address
        }
    }

    /// The addresses `id` was heard at recently enough, IPv4 first.
    func addresses(for id: ContactID, at now: ContinuousClock.Instant = .now) -> [PeerAddress] {
        hints.withLockedValue { hints in
            [false, true].compactMap { isIPv6 -> PeerAddress? in
                let key = Key(id: id, isIPv6: isIPv6)
                guard let hint = hints[key] else { return nil }
                guard hint.seen.duration(to: now) <= Self.lifetime else {
                    hints.removeValue(forKey: key)
                    return nil
                }
                return hint.address
            }
        }
    }

    func forget(_ id: ContactID) {
        hints.withLockedValue { hints in
            hints.removeValue(forKey: Key(id: id, isIPv6: false))
            hints.removeValue(forKey: Key(id: id, isIPv6: true))
        }
    }
}
