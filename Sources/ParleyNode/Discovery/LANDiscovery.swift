import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ParleyCore

/// LAN discovery: multicasts a signed beacon (contact ID, listen port, time)
/// on every local interface (IPv4, and IPv6 link-local where it can) at start,
/// shortly after, when contacts change and every 30 s, and listens for the
/// beacons of others. A verified beacon of
/// a contact becomes an address hint for the dialer; the TLS pin still decides
/// who gets in. Loopback is never used, tunnel interfaces (tun*, wg*, and
/// point-to-point links) only with `lan_tunnels = yes`.
final class LANDiscovery: Sendable {
    /// The UDP port beacons are sent to and received on.
    static let port = 29172
    /// The IPv4 group (organisation-local scope, RFC 2365).
    static let ipv4Group = "239.255.29.172"
    /// The IPv6 group (link-local scope).
    static let ipv6Group = "ff02::29:172"
    static let interval: Duration = .seconds(30)
    /// Beacons processed per second at most (a flood is dropped unread).
    static let maximumRate = 20.0
    static let burst = 40.0

    private struct State {
        /// One per family: the same beacon arrives over IPv4 and IPv6, and neither copy is a replay of the other.
        var verifiers = [LANBeaconVerifier(), LANBeaconVerifier()]
        /// "interface address" per family where the group is joined.
        var joined: [Set<String>] = [[], []]
        var tokens = LANDiscovery.burst
        var refilled = ContinuousClock.now
        var dropped = 0
    }

    /// The IPv4 socket (always) and the IPv6 one (where the host has IPv6).
    private let sockets: [Socket]
    private let identity: Identity
    private let listenPort: UInt16
    private let includeTunnels: Bool
    /// Whether IPv6 beacons go out: only when the node listens on IPv6 (`listen = [::]:…`);
    /// IPv6 beacons are heard either way.
    private let announcesIPv6: Bool
    private let isContact: @Sendable (ContactID) -> Bool
    private let found: @Sendable (ContactID, PeerAddress) -> Void
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let wakeup = Wakeup()

    /// A bound beacon socket and the group it sends to.
    private struct Socket: Sendable {
        let channel: any Channel
        let group: SocketAddress
        var isIPv6: Bool { group.protocol == .inet6 }
    }

    private init(sockets: [Socket], identity: Identity, listenPort: UInt16, includeTunnels: Bool, announcesIPv6: Bool,
                 isContact: @escaping @Sendable (ContactID) -> Bool,
                 found: @escaping @Sendable (ContactID, PeerAddress) -> Void, logger: Logger) {
        self.sockets = sockets
        self.identity = identity
        self.listenPort = listenPort
        self.includeTunnels = includeTunnels
        self.announcesIPv6 = announcesIPv6
        self.isContact = isContact
        self.found = found
        self.logger = logger
    }

    /// Binds the beacon sockets (shared with other nodes on this host) and joins the groups.
    static func start(identity: Identity, listenPort: Int, listensOnIPv6: Bool, includeTunnels: Bool,
                      isContact: @escaping @Sendable (ContactID) -> Bool,
                      found: @escaping @Sendable (ContactID, PeerAddress) -> Void,
                      logger: Logger) async throws -> LANDiscovery {
        let box = NIOLockedValueBox<LANDiscovery?>(nil)
        let deliver: @Sendable ([UInt8], SocketAddress) -> Void = { bytes, from in
            box.withLockedValue { $0 }?.received(bytes, from: from)
        }
        var sockets = [try await bind(group: ipv4Group, deliver: deliver)]
        do {
            sockets.append(try await bind(group: ipv6Group, deliver: deliver))
        } catch {
            logger.debug("LAN discovery: no IPv6 beacons (\(error))")
        }
        let discovery = LANDiscovery(
            sockets: sockets, identity: identity, listenPort: UInt16(clamping: listenPort),
            includeTunnels: includeTunnels, announcesIPv6: listensOnIPv6, isContact: isContact, found: found, logger: logger)
        box.withLockedValue { $0 = discovery }
        return discovery
    }

    private static func bind(group: String, deliver: @escaping @Sendable ([UInt8], SocketAddress) -> Void) async throws -> Socket {
        let groupAddress = try SocketAddress(ipAddress: group, port: port)
        let isIPv6 = groupAddress.protocol == .inet6
        var bootstrap = DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
        if isIPv6 {
            bootstrap = bootstrap.channelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
        }
        let channel = try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramInbound(maximumSize: LANBeacon.maximumSize, deliver))
                }
            }
            .bind(host: isIPv6 ? "::" : "0.0.0.0", port: port).get()
        do {
            // Other nodes on this host are reached on loopback, not through the LAN.
            let options = channel as? any SocketOptionProvider
            if isIPv6 {
                try await options?.setIPv6MulticastLoop(0).get()
            } else {
                try await options?.setIPMulticastLoop(0).get()
            }
        } catch {
            try? await channel.close()
            throw error
        }
        return Socket(channel: channel, group: groupAddress)
    }

    /// Sends a beacon soon (at most one a second): contacts changed.
    func announce() { wakeup.signal() }

    /// Beacons until cancelled.
    func run() async {
        var first = true
        while !Task.isCancelled {
            for socket in sockets {
                let interfaces = Self.interfaces(ipv6: socket.isIPv6, includeTunnels: includeTunnels)
                await join(interfaces, socket: socket)
                if announcesIPv6 || !socket.isIPv6 { await send(on: interfaces, socket: socket) }
            }
            try? await Task.sleep(for: .seconds(1))
            await wakeup.wait(timeout: first ? .seconds(2) : Self.interval - .seconds(1))
            first = false
        }
    }

    func close() async {
        for socket in sockets { try? await socket.channel.close() }
    }

    /// The interfaces beacons go out on: for IPv4 one entry per address, for IPv6 one per
    /// interface with a link-local address.
    static func interfaces(ipv6: Bool = false, includeTunnels: Bool) -> [NIONetworkDevice] {
        let devices = (try? System.enumerateDevices()) ?? []
        var seen: Set<Int> = []
        return devices.filter { device in
            guard device.multicastSupported, device.name != "lo", includeTunnels || !isTunnel(device),
                  let ip = device.address?.ipAddress else {
                return false
            }
            switch device.address {
            case .v4?:
                return !ipv6 && !ip.hasPrefix("127.")
            case .v6?:
                return ipv6 && ip.lowercased().hasPrefix("fe80:") && seen.insert(device.interfaceIndex).inserted
            default:
                return false
            }
        }
    }

    static func isTunnel(_ device: NIONetworkDevice) -> Bool {
        device.name.hasPrefix("tun") || device.name.hasPrefix("wg") || device.name.hasPrefix("tap")
            || device.pointToPointDestinationAddress != nil
    }

    private func join(_ interfaces: [NIONetworkDevice], socket: Socket) async {
        guard let multicast = socket.channel as? any MulticastChannel else { return }
        let group = socket.group.ipAddress ?? ""
        let family = socket.isIPv6 ? 1 : 0
        let key = { (device: NIONetworkDevice) in "\(device.name) \(device.address?.ipAddress ?? "")" }
        // An interface that went away is joined again when it comes back.
        let current = Set(interfaces.map(key))
        state.withLockedValue { $0.joined[family].formIntersection(current) }
        for device in interfaces {
            guard !state.withLockedValue({ $0.joined[family].contains(key(device)) }) else { continue }
            do {
                try await multicast.joinGroup(socket.group, device: device).get()
                state.withLockedValue { _ = $0.joined[family].insert(key(device)) }
                logger.debug("LAN discovery: joined \(group) on \(device.name)")
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                state.withLockedValue { _ = $0.joined[family].insert(key(device)) }  // still joined from before
            } catch {
                logger.debug("LAN discovery: cannot join \(group) on \(device.name): \(error)")
            }
        }
    }

    private func send(on interfaces: [NIONetworkDevice], socket: Socket) async {
        guard !interfaces.isEmpty else { return }
        let bytes: [UInt8]
        do {
            bytes = try LANBeacon.signed(by: identity, listenPort: listenPort).encoded
        } catch {
            logger.warning("LAN discovery: cannot sign a beacon: \(error)")
            return
        }
        let channel = socket.channel
        let options = channel as? any SocketOptionProvider
        for device in interfaces {
            do {
                switch device.address {
                case .v4(let address)?:
                    try await options?.setIPMulticastIF(address.address.sin_addr).get()
                case .v6?:
                    try await options?.setIPv6MulticastIF(CUnsignedInt(device.interfaceIndex)).get()
                default:
                    continue
                }
                let buffer = channel.allocator.buffer(bytes: bytes)
                try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: socket.group, data: buffer))
                logger.trace("LAN discovery: beacon sent on \(device.name)")
            } catch {
                logger.debug("LAN discovery: cannot send on \(device.name): \(error)")
            }
        }
    }

    /// A datagram arrived (on an event-loop thread): rate-limited, decoded, checked.
    private func received(_ bytes: [UInt8], from source: SocketAddress) {
        guard let ip = Self.host(of: source) else { return }
        let family = source.protocol == .inet6 ? 1 : 0
        let result = state.withLockedValue { state -> Result<LANBeacon?, LANBeaconError>? in
            let now = ContinuousClock.now
            let elapsed = state.refilled.duration(to: now)
            state.refilled = now
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(Self.burst, state.tokens + seconds * Self.maximumRate)
            guard state.tokens >= 1 else {
                state.dropped += 1
                return nil
            }
            state.tokens -= 1
            return Result { () throws(LANBeaconError) in try state.verifiers[family].verify(bytes, accepts: isContact) }
        }
        switch result {
        case nil:
            break  // over the rate: not even looked at
        case .success(nil)?:
            break  // not a contact: nothing kept
        case .success(let beacon?)?:
            found(beacon.contactID, PeerAddress(host: ip, port: Int(beacon.listenPort)))
        case .failure(let error)?:
            logger.debug("LAN beacon from \(ip) ignored: \(error)")
        }
    }
}

extension LANDiscovery {
    /// The address to dial back: the IP, with `%interface` for an IPv6 link-local one.
    static func host(of source: SocketAddress) -> String? {
        switch source {
        case .v4:
            return source.ipAddress
        case .v6(let address):
            return source.ipAddress.flatMap { host(ipv6: $0, scopeID: address.address.sin6_scope_id) }
        default:
            return nil
        }
    }

    /// An IPv6 address as dialled: link-local ones get `%interface` (nil when the interface is gone).
    static func host(ipv6 ip: String, scopeID: UInt32) -> String? {
        guard ip.lowercased().hasPrefix("fe80:"), scopeID != 0 else { return ip }
        var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(scopeID, &name) != nil else { return nil }
        let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return "\(ip)%\(String(decoding: bytes, as: UTF8.self))"
    }
}
