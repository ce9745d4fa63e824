import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ParleyCore

/// LAN discovery: multicasts a signed beacon (contact ID, listen port, time)
/// on every local IPv4 interface at start, shortly after, when contacts change
/// and every 30 s, and listens for the beacons of others. A verified beacon of
/// a contact becomes an address hint for the dialer; the TLS pin still decides
/// who gets in. Loopback is never used, tunnel interfaces (tun*, wg*, and
/// point-to-point links) only with `lan_tunnels = yes`.
final class LANDiscovery: Sendable {
    /// The UDP port beacons are sent to and received on.
    static let port = 29172
    /// The IPv4 group (organisation-local scope, RFC 2365).
    static let ipv4Group = "239.255.29.172"
    static let interval: Duration = .seconds(30)
    /// Beacons processed per second at most (a flood is dropped unread).
    static let maximumRate = 20.0
    static let burst = 40.0

    private struct State {
        var verifier = LANBeaconVerifier()
        var joined: Set<String> = []
        var tokens = LANDiscovery.burst
        var refilled = ContinuousClock.now
        var dropped = 0
    }

    private let channel: any Channel
    private let group: SocketAddress
    private let identity: Identity
    private let listenPort: UInt16
    private let includeTunnels: Bool
    private let isContact: @Sendable (ContactID) -> Bool
    private let found: @Sendable (ContactID, PeerAddress) -> Void
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let wakeup = Wakeup()

    private init(channel: any Channel, group: SocketAddress, identity: Identity, listenPort: UInt16, includeTunnels: Bool,
                 isContact: @escaping @Sendable (ContactID) -> Bool,
                 found: @escaping @Sendable (ContactID, PeerAddress) -> Void, logger: Logger) {
        self.channel = channel
        self.group = group
        self.identity = identity
        self.listenPort = listenPort
        self.includeTunnels = includeTunnels
        self.isContact = isContact
        self.found = found
        self.logger = logger
    }

    /// Binds the beacon socket (shared with other nodes on this host) and joins the group.
    static func start(identity: Identity, listenPort: Int, includeTunnels: Bool,
                      isContact: @escaping @Sendable (ContactID) -> Bool,
                      found: @escaping @Sendable (ContactID, PeerAddress) -> Void,
                      logger: Logger) async throws -> LANDiscovery {
        let box = NIOLockedValueBox<LANDiscovery?>(nil)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BeaconInbound { bytes, from in
                        box.withLockedValue { $0 }?.received(bytes, from: from)
                    })
                }
            }
            .bind(host: "0.0.0.0", port: port).get()
        do {
            // Other nodes on this host are reached on loopback, not through the LAN.
            try await (channel as? any SocketOptionProvider)?.setIPMulticastLoop(0).get()
        } catch {
            try? await channel.close()
            throw error
        }
        let discovery = LANDiscovery(
            channel: channel, group: try SocketAddress(ipAddress: ipv4Group, port: port), identity: identity,
            listenPort: UInt16(clamping: listenPort), includeTunnels: includeTunnels, isContact: isContact,
            found: found, logger: logger)
        box.withLockedValue { $0 = discovery }
        return discovery
    }

    /// Sends a beacon soon (at most one a second): contacts changed.
    func announce() { wakeup.signal() }

    /// Beacons until cancelled.
    func run() async {
        var first = true
        while !Task.isCancelled {
            let interfaces = Self.interfaces(includeTunnels: includeTunnels)
            await join(interfaces)
            await send(on: interfaces)
            try? await Task.sleep(for: .seconds(1))
            await wakeup.wait(timeout: first ? .seconds(2) : Self.interval - .seconds(1))
            first = false
        }
    }

    func close() async {
        try? await channel.close()
    }

    /// The IPv4 interfaces beacons go out on.
    static func interfaces(includeTunnels: Bool) -> [NIONetworkDevice] {
        let devices = (try? System.enumerateDevices()) ?? []
        return devices.filter { device in
            guard case .v4? = device.address, let ip = device.address?.ipAddress, device.multicastSupported else {
                return false
            }
            if device.name == "lo" || ip.hasPrefix("127.") { return false }
            return includeTunnels || !isTunnel(device)
        }
    }

    static func isTunnel(_ device: NIONetworkDevice) -> Bool {
        device.name.hasPrefix("tun") || device.name.hasPrefix("wg") || device.name.hasPrefix("tap")
            || device.pointToPointDestinationAddress != nil
    }

    private func join(_ interfaces: [NIONetworkDevice]) async {
        guard let multicast = channel as? any MulticastChannel else { return }
        for device in interfaces {
            let key = "\(device.name) \(device.address?.ipAddress ?? "")"
            guard !state.withLockedValue({ $0.joined.contains(key) }) else { continue }
            do {
                try await multicast.joinGroup(group, device: device).get()
                state.withLockedValue { _ = $0.joined.insert(key) }
                logger.debug("LAN discovery: joined \(Self.ipv4Group) on \(device.name)")
            } catch {
                logger.debug("LAN discovery: cannot join \(Self.ipv4Group) on \(device.name): \(error)")
            }
        }
    }

    private func send(on interfaces: [NIONetworkDevice]) async {
        guard !interfaces.isEmpty else { return }
        let bytes: [UInt8]
        do {
            bytes = try LANBeacon.signed(by: identity, listenPort: listenPort).encoded
        } catch {
            logger.warning("LAN discovery: cannot sign a beacon: \(error)")
            return
        }
        for device in interfaces {
            guard case .v4(let address)? = device.address else { continue }
            do {
                try await (channel as? any SocketOptionProvider)?.setIPMulticastIF(address.address.sin_addr).get()
                let buffer = channel.allocator.buffer(bytes: bytes)
                try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: group, data: buffer))
                logger.trace("LAN discovery: beacon sent on \(device.name)")
            } catch {
                logger.debug("LAN discovery: cannot send on \(device.name): \(error)")
            }
        }
    }

    /// A datagram arrived (on an event-loop thread): rate-limited, decoded, checked.
    private func received(_ bytes: [UInt8], from source: SocketAddress) {
        guard case .v4 = source, let ip = source.ipAddress else { return }
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
            return Result { () throws(LANBeaconError) in try state.verifier.verify(bytes, accepts: isContact) }
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

/// Hands every datagram (up to the largest beacon) to `deliver`.
private final class BeaconInbound: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let deliver: @Sendable ([UInt8], SocketAddress) -> Void

    init(_ deliver: @escaping @Sendable ([UInt8], SocketAddress) -> Void) {
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.data.readableBytes <= LANBeacon.maximumSize else { return }
        deliver(Array(buffer: envelope.data), envelope.remoteAddress)
    }
}
