import NIOCore

/// Hands each UDP datagram of at most `maximumSize` bytes to a closure, on the channel's
/// event loop; larger ones are dropped unread (call media, LAN beacons).
final class DatagramInbound: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let maximumSize: Int
    let deliver: @Sendable ([UInt8], SocketAddress) -> Void

    init(maximumSize: Int, _ deliver: @escaping @Sendable ([UInt8], SocketAddress) -> Void) {
        self.maximumSize = maximumSize
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.data.readableBytes <= maximumSize else { return }
        deliver(Array(buffer: envelope.data), envelope.remoteAddress)
    }
}
