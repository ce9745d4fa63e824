import NIOCore
import ParleyWire

/// Enforces the session's opening: the peer's first frame must be HELLO and
/// must arrive within the deadline (TLS handshake included). Otherwise the
/// link is closed with `CLOSE(protocolError)` or `CLOSE(handshakeTimeout)`.
/// Removes itself once HELLO is through.
final class HelloGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WireMessage
    typealias InboundOut = WireMessage

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: deadline) {
            self.refuse(context: context, code: .handshakeTimeout, error: .helloTimeout)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .hello = unwrapInboundIn(data) else {
            refuse(context: context, code: .protocolError, error: .expectedHello)
            return
        }
        timer?.cancel()
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }

    private func refuse(context: ChannelHandlerContext, code: CloseCode, error: LinkError) {
        context.closeLink(code, reason: error.description, error: error)
    }
}
