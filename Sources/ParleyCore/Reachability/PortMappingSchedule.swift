/// A way to ask the router to forward a port.
public enum PortMappingMethod: String, Sendable, CaseIterable, CustomStringConvertible {
    /// NAT-PMP (RFC 6886): one UDP exchange with the default gateway.
    case natPMP = "NAT-PMP"
    /// UPnP-IGD: SSDP discovery, then SOAP calls to the router's WANIPConnection service.
    case upnp = "UPnP-IGD"

    public var description: String { rawValue }
}

/// A port the router forwards to us: `externalHost:externalPort` reaches our `internalPort`.
public struct PortMapping: Sendable, Equatable, CustomStringConvertible {
    public var method: PortMappingMethod
    /// The router's external address, numeric (as the router reported it).
    public var externalHost: String
    public var externalPort: Int
    public var internalPort: Int
    /// How long the router keeps it; nil when it is permanent (a router that takes no lease times).
    public var lifetime: Duration?

    public init(method: PortMappingMethod, externalHost: String, externalPort: Int, internalPort: Int,
                lifetime: Duration?) {
        self.method = method
        self.externalHost = externalHost
        self.externalPort = externalPort
        self.internalPort = internalPort
        self.lifetime = lifetime
    }

    /// `host:port` as peers dial it.
    public var external: PeerAddress { PeerAddress(host: externalHost, port: externalPort) }

    public var description: String {
        let lease = lifetime.map { "lease \($0.components.seconds) s" } ?? "permanent"
        return "\(external) → port \(internalPort) (\(method), \(lease))"
    }
}

/// When to map, renew, retry and remove the node's port mapping: the pure half of port
/// mapping, driven by a loop that does the I/O (``next(at:)`` says what to do, the
/// loop reports back with ``succeeded(_:at:)`` or ``failed(at:)``).
///
/// - A new mapping is asked for with NAT-PMP first, then UPnP-IGD: NAT-PMP is one datagram
///   to the gateway, answered (or refused by an ICMP error) in milliseconds, while UPnP
///   needs an SSDP discovery that waits its full delay. Once a method worked, it is tried
///   first again (renewals included).
/// - A mapping is renewed at half its lease; a permanent one is checked again (re-added)
///   every ``permanentRecheck``, in case the router restarted.
/// - Failures back off: ``firstRetry``, doubling, at most ``longestRetry``. A failed renewal
///   keeps the mapping while its lease lasts, retrying within the half of it that is left;
///   at the end of the lease it is gone.
/// - ``stop()`` ends everything: the mapping still held is removed once, then ``next(at:)``
///   says ``Step/finished``.
public struct PortMappingSchedule: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        /// Ask for a mapping (new or renewed), trying these methods in order.
        case map([PortMappingMethod])
        /// Nothing to do before then.
        case wait(until: ContinuousClock.Instant)
        /// Remove this mapping from the router (the node is stopping).
        case remove(PortMapping)
        /// Stopped, nothing left on the router.
        case finished
    }

    public static let defaultOrder: [PortMappingMethod] = [.natPMP, .upnp]
    /// The lease asked for (routers may give less).
    public static let requestedLifetime: Duration = .seconds(3600)
    public static let permanentRecheck: Duration = .seconds(1800)
    public static let firstRetry: Duration = .seconds(30)
    public static let longestRetry: Duration = .seconds(1800)
    /// The shortest wait between two attempts, whatever the lease says.
    public static let shortestWait: Duration = .seconds(5)

    /// The mapping the router holds for us, as far as we know.
    public private(set) var mapping: PortMapping?
    /// When the current mapping's lease ends (nil: permanent, or none).
    public private(set) var expiry: ContinuousClock.Instant?
    /// Failed attempts in a row.
    public private(set) var failures = 0
    public private(set) var isStopped = false
    private var nextAttempt: ContinuousClock.Instant?
    private var preferred: PortMappingMethod?

    /// A schedule that maps at once.
    public init() {}

    /// What to do at `now`. A lease that ran out is forgotten here (read ``mapping`` after).
    public mutating func next(at now: ContinuousClock.Instant) -> Step {
        if let expiry, now >= expiry {
            mapping = nil
            self.expiry = nil
        }
        if isStopped {
            return mapping.map(Step.remove) ?? .finished
        }
        if let nextAttempt, now < nextAttempt {
            return .wait(until: nextAttempt)
        }
        let first = mapping?.method ?? preferred
        return .map(first.map { [$0] + Self.defaultOrder.filter { $0 != first } } ?? Self.defaultOrder)
    }

    /// The router gave us `mapping` at `now`.
    public mutating func succeeded(_ mapping: PortMapping, at now: ContinuousClock.Instant) {
        self.mapping = mapping
        preferred = mapping.method
        failures = 0
        if let lifetime = mapping.lifetime, lifetime > .zero {
            expiry = now + lifetime
            nextAttempt = now + max(lifetime / 2, Self.shortestWait)
        } else {
            expiry = nil
            nextAttempt = now + Self.permanentRecheck
        }
    }

    /// No method gave a mapping at `now`.
    public mutating func failed(at now: ContinuousClock.Instant) {
        failures += 1
        var delay = Self.retryDelay(afterFailures: failures)
        if let expiry, mapping != nil {
            // A renewal failed: try again while half the rest of the lease is left.
            let left = now.duration(to: expiry)
            delay = min(delay, left / 2)
        }
        nextAttempt = now + max(delay, Self.shortestWait)
    }

    /// Back-off after `failures` failures in a row: 30 s, 60 s, 120 s, … at most 30 minutes.
    public static func retryDelay(afterFailures failures: Int) -> Duration {
        let doublings = min(max(failures - 1, 0), 16)
        return min(firstRetry * (1 << doublings), longestRetry)
    }

    /// The node is stopping: the mapping held (if any) is to be removed, nothing else done.
    public mutating func stop() {
        isStopped = true
    }

    /// The removal was tried (whether the router answered or not): nothing is held any more.
    public mutating func removed() {
        mapping = nil
        expiry = nil
    }
}
