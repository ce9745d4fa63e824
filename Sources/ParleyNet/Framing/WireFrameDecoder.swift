import NIOCore
import ParleyWire

/// Turns the TLS byte stream into ``WireMessage``s.
///
/// The payload length is checked against the limit from the 8-byte header
/// alone, before anything is buffered for it. Any ``WireError`` is fired down
/// the pipeline; the link then closes with `CLOSE(protocolError)`.
final class WireFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = WireMessage

    let maxPayloadLength: Int

    init(maxPayloadLength: Int = WireLimits.maxPayloadLength) {
        self.maxPayloadLength = maxPayloadLength
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let headerBytes = buffer.getBytes(at: buffer.readerIndex, length: FrameHeader.size) else {
            return .needMoreData
        }
        let header = try FrameHeader(parsing: headerBytes)
        guard Int(header.length) <= maxPayloadLength else {
            throw WireError.frameTooLarge(length: UInt64(header.length), limit: maxPayloadLength)
        }
        guard buffer.readableBytes >= FrameHeader.size + Int(header.length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: FrameHeader.size)
        let payload = buffer.readBytes(length: Int(header.length)) ?? []
        let frame = Frame(type: header.type, version: header.version, flags: header.flags, payload: payload)
        context.fireChannelRead(Self.wrapInboundOut(try WireMessage(frame: frame)))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData  // a partial frame at EOF is dropped with the link
    }
}

/// Writes ``WireMessage``s as frames.
final class WireFrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = WireMessage

    func encode(data: WireMessage, out: inout ByteBuffer) throws {
        out.writeBytes(data.encoded())
    }
}
