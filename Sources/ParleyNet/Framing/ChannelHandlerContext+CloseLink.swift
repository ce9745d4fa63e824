import NIOCore
import ParleyWire

extension ChannelHandlerContext {
    /// Ends a link from inside the pipeline: sends CLOSE with `code`, closes
    /// the connection once it is written, and reports `error` to the handlers
    /// after this one (the async session sees its stream fail with it).
    func closeLink(_ code: CloseCode, reason: String, error: LinkError) {
        let close = WireMessage.close(CloseReason(code: code, reason: CloseReason.fitting(reason)))
        let channel = self.channel
        writeAndFlush(NIOAny(close)).whenComplete { _ in channel.close(promise: nil) }
        fireErrorCaught(error)
    }
}
