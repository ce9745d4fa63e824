import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ParleyMedia
import ParleyWire

/// How a call's media datagrams travel right now.
public enum CallMediaPath: String, Sendable, Codable {
    /// UDP between the peers' addresses.
    case udp
    /// DATAGRAM frames inside the TLS link (when UDP does not get through).
    case link
}

/// Carries one call's SRTP datagrams: over its own UDP socket to the peer's candidate, or,
/// once UDP has proved not to work, through the link as DATAGRAM frames. Receives from
/// both at all times. Sending never blocks: datagrams are dropped when the link's queue is
/// full (media is late, not queued).
final class CallTransport: MediaTransport, Sendable {
    private struct State {
        var path: CallMediaPath = .udp
        var remote: SocketAddress?
        var receiver: (@Sendable ([UInt8]) -> Void)?
        var lastUDPArrival: ContinuousClock.Instant?
        var udpDatagrams = 0
        var linkDatagrams = 0
    }

    private let channel: any Channel
    private let state = NIOLockedValueBox(State())
    /// Datagrams waiting for the link, newest kept.
    let tunnel: AsyncStream<[UInt8]>
    private let tunnelInput: AsyncStream<[UInt8]>.Continuation
    /// The UDP port media arrives on.
    let localPort: Int

    private init(channel: any Channel) {
        self.channel = channel
        localPort = channel.localAddress?.port ?? 0
        (tunnel, tunnelInput) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(256))
    }

    /// Binds a UDP socket on every interface of `family`'s kind (IPv4 or IPv6), on any free port.
    static func bind(like family: SocketAddress?) async throws -> CallTransport {
        let host = family?.protocol == .inet6 ? "::" : "0.0.0.0"
        let box = NIOLockedValueBox<CallTransport?>(nil)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramInbound(maximumSize: CallFrame.maxDatagramBytes) { bytes, from in
                        box.withLockedValue { $0 }?.receivedUDP(bytes, from: from)
                    })
                }
            }
            .bind(host: host, port: 0).get()
        let transport = CallTransport(channel: channel)
        box.withLockedValue { $0 = transport }
        return transport
    }

    /// Where the media goes from now on (over UDP), and who gets what arrives.
    func connect(to remote: SocketAddress?, receiver: @escaping @Sendable ([UInt8]) -> Void) {
        state.withLockedValue {
            $0.remote = remote
            $0.receiver = receiver
        }
    }

    var path: CallMediaPath { state.withLockedValue { $0.path } }
    var remote: SocketAddress? { state.withLockedValue { $0.remote } }
    var lastUDPArrival: ContinuousClock.Instant? { state.withLockedValue { $0.lastUDPArrival } }
    var counts: (udp: Int, link: Int) { state.withLockedValue { ($0.udpDatagrams, $0.linkDatagrams) } }

    /// Sends the media through the link from now on.
    func useLink() {
        state.withLockedValue { $0.path = .link }
    }

    func send(_ datagram: [UInt8]) {
        let (path, remote) = state.withLockedValue { ($0.path, $0.remote) }
        switch path {
        case .udp:
            guard let remote else { return }
            let envelope = AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: datagram))
            channel.writeAndFlush(envelope, promise: nil)
        case .link:
            tunnelInput.yield(datagram)
        }
    }

    private func receivedUDP(_ bytes: [UInt8], from: SocketAddress) {
        let receiver = state.withLockedValue { state -> (@Sendable ([UInt8]) -> Void)? in
            state.lastUDPArrival = .now
            state.udpDatagrams += 1
            return state.receiver
        }
        receiver?(bytes)
    }

    /// A datagram that came through the link: the peer sends that way, so we answer that way too.
    func receivedThroughLink(_ bytes: [UInt8]) {
        let receiver = state.withLockedValue { state -> (@Sendable ([UInt8]) -> Void)? in
            state.path = .link
            state.linkDatagrams += 1
            return state.receiver
        }
        receiver?(bytes)
    }

    func close() {
        tunnelInput.finish()
        state.withLockedValue { $0.receiver = nil }
        channel.close(promise: nil)
    }
}
