import NIOCore
import NIOPosix

/// One datagram with its sender, as the sockets deliver it.
typealias Datagram = AddressedEnvelope<ByteBuffer>

/// The async view of a bound UDP socket.
typealias DatagramChannel = NIOAsyncChannel<Datagram, Datagram>

/// The two halves of an open UDP socket inside `withDatagramSockets`.
struct DatagramSocket {
    let inbound: NIOAsyncChannelInboundStream<Datagram>
    let outbound: NIOAsyncChannelOutboundWriter<Datagram>
    let localPort: Int

    /// Sends `bytes` to `address`.
    func send(_ bytes: [UInt8], to address: SocketAddress) async throws {
        try await outbound.write(Datagram(remoteAddress: address, data: ByteBuffer(bytes: bytes)))
    }
}

/// Binds one UDP socket per address, runs `body` with all of them open and closes them
/// afterwards (each through `executeThenClose`).
func withDatagramSockets(
    _ addresses: [SocketAddress], _ body: ([DatagramSocket]) async throws -> Void
) async throws {
    try await open(addresses[...], opened: [], body)
}

private func open(
    _ addresses: ArraySlice<SocketAddress>, opened: [DatagramSocket], _ body: ([DatagramSocket]) async throws -> Void
) async throws {
    guard let address = addresses.first else { return try await body(opened) }
    let channel: DatagramChannel
    do {
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // Room for a burst of keyframe packets while the receiver decodes.
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .bind(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try DatagramChannel(wrappingChannelSynchronously: channel)
                }
            }
    } catch {
        throw StreamError.cannotBind(address: "\(address)", reason: "\(error)")
    }
    let localPort = channel.channel.localAddress?.port ?? address.port ?? 0
    return try await channel.executeThenClose { inbound, outbound in
        try await open(addresses.dropFirst(), opened: opened + [DatagramSocket(inbound: inbound, outbound: outbound, localPort: localPort)], body)
    }
}

/// Resolves `host` (a name or an IPv4/IPv6 literal) and `port` to a socket address.
func resolve(host: String, port: Int) throws -> SocketAddress {
    // NIO traps on a port outside 0...65535; the ports come from SDP files and options.
    guard (0 ... 65535).contains(port) else { throw StreamError.cannotResolve(host: host, reason: "port \(port) is outside 0...65535") }
    do {
        return try SocketAddress.makeAddressResolvingHost(host, port: port)
    } catch {
        throw StreamError.cannotResolve(host: host, reason: "\(error)")
    }
}

/// The wildcard address of `address`'s family, port 0 (any free port) unless given.
func wildcard(like address: SocketAddress, port: Int = 0) throws -> SocketAddress {
    guard (0 ... 65535).contains(port) else { throw StreamError.cannotBind(address: "port \(port)", reason: "outside 0...65535") }
    if case .v6 = address { return try SocketAddress(ipAddress: "::", port: port) }
    return try SocketAddress(ipAddress: "0.0.0.0", port: port)
}
