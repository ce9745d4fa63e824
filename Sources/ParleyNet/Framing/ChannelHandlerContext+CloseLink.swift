import NIOCore
import ParleyWire

extension ChannelHandlerContext {
    /// Ends a link from inside the pipeline: sends CLOSE with `code`, closes
    /// the connection once it is written, and reports `error` to the handlers
    /// after this one (the async session sees its stream fail with it).
    ///
    /// The connection closes within ``closeGrace`` even when the CLOSE cannot
    /// be written: before TLS is up (a peer that never finishes its handshake)
    /// or when the peer stops reading, the write never completes.
    func closeLink(_ code: CloseCode, reason: String, error: LinkError) {
        let close = WireMessage.close(CloseReason(code: code, reason: CloseReason.fitting(reason)))
        let channel = self.channel
        writeAndFlush(NIOAny(close)).whenComplete { _ in channel.close(promise: nil) }
        eventLoop.scheduleTask(in: closeGrace) { channel.close(promise: nil) }
        fireErrorCaught(error)
    }
}

/// How long a closing link may take to say goodbye before its connection is closed anyway.
let closeGrace: TimeAmount = .seconds(1)
