import NIOCore

/// The control socket's limits, shared by the node and the CLI.
public enum ControlLimits {
    /// Longest request line the node reads (1 MiB); longer requests are refused with an error.
    public static let maxLineBytes = 1 << 20
}

/// Newline-delimited UTF-8 lines, at most `maxLength` bytes each.
final class LineCodec: ByteToMessageDecoder, MessageToByteEncoder {
    typealias InboundOut = String
    typealias OutboundIn = String

    let maxLength: Int

    init(maxLength: Int = ControlLimits.maxLineBytes) {
        self.maxLength = maxLength
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLength { throw LineTooLong() }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        let line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }

    func encode(data: String, out: inout ByteBuffer) throws {
        out.writeString(data)
        out.writeInteger(UInt8(ascii: "\n"))
    }

    struct LineTooLong: Error {}
}
