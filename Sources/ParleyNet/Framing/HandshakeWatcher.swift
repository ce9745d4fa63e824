import NIOCore
import NIOSSL
import NIOTLS
import ParleyCore

/// Completes a promise with the peer's verified ID when the TLS handshake
/// finishes, or fails it when the channel errors or closes first.
final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    private let promise: EventLoopPromise<ContactID>
    private let identity: PeerIdentityBox
    private let expected: ContactID?
    private var done = false

    init(promise: EventLoopPromise<ContactID>, identity: PeerIdentityBox, expected: ContactID?) {
        self.promise = promise
        self.identity = identity
        self.expected = expected
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event, !done {
            done = true
            if let id = identity.verified {
                promise.succeed(id)
            } else {
                promise.fail(LinkError.handshakeFailed("the peer's key was not verified"))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(LinkError.handshakeFailed("the connection closed during the handshake"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(LinkError.handshakeFailed("the link was torn down during the handshake"))
    }

    private func fail(_ error: any Error) {
        guard !done else { return }
        done = true
        if let expected, let presented = identity.refusedID {
            promise.fail(LinkError.wrongPeer(expected: expected, presented: presented))
        } else if let linkError = error as? LinkError {
            promise.fail(linkError)
        } else {
            promise.fail(LinkError.handshakeFailed(String(describing: error)))
        }
    }
}
