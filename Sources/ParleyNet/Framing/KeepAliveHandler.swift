import NIOCore
import ParleyWire

/// Answers PINGs, swallows PONGs, sends a PING when the peer has been quiet
/// for one interval and closes the link (`CLOSE(idleTimeout)`) when it has
/// been quiet for `deadAfter`. Sits after an `IdleStateHandler(readTimeout:)`.
final class KeepAliveHandler: ChannelDuplexHandler {
    typealias InboundIn = WireMessage
    typealias InboundOut = WireMessage
    typealias OutboundIn = WireMessage
    typealias OutboundOut = WireMessage

    private let quietIntervalsBeforeDead: Int
    private var quietIntervals = 0
    private var nonce: UInt64 = 0

    /// - Parameter quietIntervalsBeforeDead: consecutive idle intervals after which the link is dead.
    init(quietIntervalsBeforeDead: Int) {
        self.quietIntervalsBeforeDead = quietIntervalsBeforeDead
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        quietIntervals = 0
        switch unwrapInboundIn(data) {
        case .ping(let nonce):
            context.writeAndFlush(wrapOutboundOut(.pong(nonce: nonce)), promise: nil)
        case .pong:
            break
        default:
            context.fireChannelRead(data)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quietIntervals += 1
        if quietIntervals >= quietIntervalsBeforeDead {
            context.closeLink(.idleTimeout, reason: "nothing received for too long", error: .peerSilent)
        } else {
            nonce &+= 1
            context.writeAndFlush(wrapOutboundOut(.ping(nonce: nonce)), promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
    }
}
