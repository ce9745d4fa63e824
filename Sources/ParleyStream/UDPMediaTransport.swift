import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ParleyMedia

/// A call's media over one UDP socket (SwiftNIO `DatagramBootstrap`): for tests and for
/// `parley stream`; the node brings its own transports. Sends go to `remote`, which is set
/// by the caller or learned from the first datagram the session authenticates
/// (`deliver(to:)`); inbound datagrams go to a handler closure, on NIO's event loop.
public final class UDPMediaTransport: MediaTransport {
    /// Gets each inbound datagram and the address it came from.
    public typealias Handler = @Sendable (_ datagram: [UInt8], _ source: SocketAddress) -> Void

    private struct State {
        var remote: SocketAddress?
        var handler: Handler?
        var datagramsSent: Int64 = 0
        var datagramsDropped: Int64 = 0
    }

    private let channel: any Channel
    private let state: NIOLockedValueBox<State>
    /// The bound address (with the port the system chose for port 0).
    public let localAddress: SocketAddress

    private init(channel: any Channel, state: NIOLockedValueBox<State>, localAddress: SocketAddress) {
        self.channel = channel
        self.state = state
        self.localAddress = localAddress
    }

    /// Binds `host:port` (port 0: any free port).
    public static func bind(host: String = "127.0.0.1", port: Int = 0) async throws -> UDPMediaTransport {
        let address = try resolve(host: host, port: port)
        let state = NIOLockedValueBox(State())
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                // Room for a burst of keyframe packets while the media thread is busy.
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(InboundHandler(state: state))
                    }
                }
                .bind(to: address).get()
        } catch {
            throw StreamError.cannotBind(address: "\(address)", reason: "\(error)")
        }
        return UDPMediaTransport(channel: channel, state: state, localAddress: channel.localAddress ?? address)
    }

    /// Where datagrams go; nil: nowhere yet (sends are dropped and counted).
    public var remote: SocketAddress? {
        get { state.withLockedValue { $0.remote } }
        set { state.withLockedValue { $0.remote = newValue } }
    }

    /// Sets the handler of inbound datagrams (nil: drop them).
    public func onReceive(_ handler: Handler?) {
        state.withLockedValue { $0.handler = handler }
    }

    /// Hands every inbound datagram to `session`; while `remote` is unset, the source of the
    /// first datagram the session authenticates becomes it (an unauthenticated sender can
    /// never redirect the media). `close()` lets go of the session.
    public func deliver(to session: CallMediaSession) {
        onReceive { [weak self] datagram, source in
            guard let self else { return }
            if self.remote == nil {
                session.receive(datagram) { [weak self] in self?.learnRemote(source) }
            } else {
                session.receive(datagram)
            }
        }
    }

    private func learnRemote(_ source: SocketAddress) {
        state.withLockedValue { if $0.remote == nil { $0.remote = source } }
    }

    /// Sends one datagram to `remote`; drops it (counted) when there is none or the socket's
    /// buffer is full. Never blocks.
    public func send(_ datagram: [UInt8]) {
        let remote: SocketAddress? = state.withLockedValue { state in
            guard let remote = state.remote, channel.isWritable else {
                state.datagramsDropped += 1
                return nil
            }
            state.datagramsSent += 1
            return remote
        }
        guard let remote else { return }
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: datagram)), promise: nil)
    }

    /// Datagrams handed to the socket, and dropped (no remote yet, or congested).
    public var datagramsSent: Int64 { state.withLockedValue { $0.datagramsSent } }
    public var datagramsDropped: Int64 { state.withLockedValue { $0.datagramsDropped } }

    /// Closes the socket and drops the handler (and the session it held).
    public func close() async throws {
        onReceive(nil)
        try await channel.close()
    }

    private final class InboundHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let state: NIOLockedValueBox<State>

        init(state: NIOLockedValueBox<State>) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = Self.unwrapInboundIn(data)
            guard let handler = state.withLockedValue({ $0.handler }) else { return }
            handler(Array(buffer: envelope.data), envelope.remoteAddress)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // ICMP port unreachable and the like: UDP goes on.
        }
    }
}
