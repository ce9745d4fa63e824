import NIOCore
import NIOSSL
import ParleyCore
import ParleyWire

/// Builds the channel pipeline shared by incoming and outgoing links:
/// TLS → idle detection → frame decoder/encoder → handshake watcher →
/// HELLO guard (so even a PING cannot come first) → keep-alive → async channel.
enum PeerPipeline {
    static func configure(_ channel: any Channel, tlsHandler: any ChannelHandler, identity: PeerIdentityBox,
                          expected: ContactID?, direction: LinkDirection,
                          timings: LinkTimings) throws -> PendingConnection {
        let promise = channel.eventLoop.makePromise(of: ContactID.self)
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(tlsHandler)
        try operations.addHandler(IdleStateHandler(readTimeout: timings.keepAliveInterval))
        try operations.addHandler(ByteToMessageHandler(WireFrameDecoder()))
        try operations.addHandler(MessageToByteHandler(WireFrameEncoder()))
        try operations.addHandler(HandshakeWatcher(promise: promise, identity: identity, expected: expected))
        try operations.addHandler(HelloGuardHandler(deadline: timings.helloDeadline))
        try operations.addHandler(KeepAliveHandler(quietIntervalsBeforeDead: timings.quietIntervalsBeforeDead))
        let asyncChannel = try PeerChannel(
            wrappingChannelSynchronously: channel,
            configuration: .init(inboundType: WireMessage.self, outboundType: WireMessage.self))
        return PendingConnection(channel: asyncChannel, handshake: promise.futureResult, identity: identity,
                                 direction: direction)
    }
}
