/// A decoded frame: one case per known frame type, plus ``unknown(type:version:payload:)``.
///
/// Decoding (``init(frame:)``) enforces every ``WireLimits`` limit and ignores
/// trailing payload bytes so newer payload versions stay readable. Encoding
/// (``frame()``, ``encoded()``) never fails and does not check limits: senders
/// keep within ``WireLimits`` themselves, e.g. by calling ``validate()``.
public enum WireMessage: Sendable, Equatable {
    /// HELLO (0x0001).
    case hello(Hello)
    /// PING (0x0002) with a nonce the peer echoes.
    case ping(nonce: UInt64)
    /// PONG (0x0003) echoing a PING's nonce.
    case pong(nonce: UInt64)
    /// CLOSE (0x0004).
    case close(CloseReason)
    /// CHAT_MESSAGE (0x0010).
    case chat(ChatMessage)
    /// RECEIPT (0x0011).
    case receipt(Receipt)
    /// TYPING (0x0012): whether the user is typing.
    case typing(active: Bool)
    /// CONTACT_REQUEST (0x0020).
    case contactRequest(ContactRequest)
    /// CONTACT_REQUEST_RESULT (0x0021).
    case contactRequestResult(ContactRequestStatus)
    /// EXTERNAL_ADDRESS (0x0030): where the sender can be dialled from outside its network.
    case externalAddress(ExternalAddress)
    /// A file-transfer frame (0x0101–0x0109).
    case file(FileTransferFrame)
    /// A call frame (0x0201–0x0207) or a media datagram (0x0300).
    case call(CallFrame)
    /// Any other type, kept verbatim; receivers ignore it.
    ///
    /// Only meaningful for types that are not in ``FrameType/known``: encoding
    /// an `.unknown` with a known type produces a frame that decodes as that type.
    case unknown(type: UInt16, version: UInt8, payload: [UInt8])

    /// Decodes a frame's payload according to its type.
    ///
    /// Throws ``WireError/invalidVersion(type:version:)`` for version 0 (of any
    /// type) and the relevant ``WireError`` for a malformed known payload.
    /// Trailing bytes after the known fields are ignored. Flags are ignored.
    public init(frame: Frame) throws(WireError) {
        guard frame.version >= 1 else {
            throw .invalidVersion(type: frame.type, version: frame.version)
        }
        var reader = ByteReader(frame.payload)
        switch FrameType(frame.type) {
        case .hello:
            self = .hello(try Hello(from: &reader))
        case .ping:
            self = .ping(nonce: try reader.readUInt64(field: "ping.nonce"))
        case .pong:
            self = .pong(nonce: try reader.readUInt64(field: "pong.nonce"))
        case .close:
            self = .close(try CloseReason(from: &reader))
        case .chatMessage:
            self = .chat(try ChatMessage(from: &reader))
        case .receipt:
            self = .receipt(try Receipt(from: &reader))
        case .typing:
            self = .typing(active: try reader.readBool(field: "typing.active"))
        case .contactRequest:
            self = .contactRequest(try ContactRequest(from: &reader))
        case .contactRequestResult:
            let raw = try reader.readUInt8(field: "contactRequestResult.status")
            guard let status = ContactRequestStatus(rawValue: raw) else {
                throw .invalidValue(field: "contactRequestResult.status", value: UInt64(raw))
            }
            self = .contactRequestResult(status)
        case .externalAddress:
            self = .externalAddress(try ExternalAddress(from: &reader))
        default:
            if let file = try FileTransferFrame(type: FrameType(frame.type), reader: &reader) {
                self = .file(file)
            } else if let call = try CallFrame(type: FrameType(frame.type), reader: &reader) {
                self = .call(call)
            } else {
                self = .unknown(type: frame.type, version: frame.version, payload: frame.payload)
            }
        }
    }

    /// The frame type this message is sent as.
    public var type: UInt16 {
        switch self {
        case .hello: FrameType.hello.rawValue
        case .ping: FrameType.ping.rawValue
        case .pong: FrameType.pong.rawValue
        case .close: FrameType.close.rawValue
        case .chat: FrameType.chatMessage.rawValue
        case .receipt: FrameType.receipt.rawValue
        case .typing: FrameType.typing.rawValue
        case .contactRequest: FrameType.contactRequest.rawValue
        case .contactRequestResult: FrameType.contactRequestResult.rawValue
        case .externalAddress: FrameType.externalAddress.rawValue
        case let .file(file): file.type.rawValue
        case let .call(call): call.type.rawValue
        case let .unknown(type, _, _): type
        }
    }

    /// The frame carrying this message: current payload version (1), flags 0.
    public func frame() -> Frame {
        var writer = ByteWriter()
        var version = WireProtocol.payloadVersion
        switch self {
        case let .hello(hello): hello.encode(to: &writer)
        case let .ping(nonce), let .pong(nonce): writer.writeUInt64(nonce)
        case let .close(reason): reason.encode(to: &writer)
        case let .chat(message): message.encode(to: &writer)
        case let .receipt(receipt): receipt.encode(to: &writer)
        case let .typing(active): writer.writeBool(active)
        case let .contactRequest(request): request.encode(to: &writer)
        case let .contactRequestResult(status): writer.writeUInt8(status.rawValue)
        case let .externalAddress(address): address.encode(to: &writer)
        case let .file(file): file.encode(to: &writer)
        case let .call(call): call.encode(to: &writer)
        case let .unknown(_, unknownVersion, payload):
            version = unknownVersion
            writer.writeRaw(payload)
        }
        return Frame(type: type, version: version, flags: 0, payload: writer.bytes)
    }

    /// The complete encoded frame (header and payload), ready to send.
    public func encoded() -> [UInt8] {
        frame().encoded()
    }

    /// Throws the error a receiver would report if this message breaks a
    /// ``WireLimits`` limit (string lengths, list counts). Use before sending
    /// user-supplied content.
    public func validate() throws(WireError) {
        switch self {
        case let .hello(hello): try hello.validate()
        case let .close(reason): try reason.validate()
        case let .chat(message): try message.validate()
        case let .receipt(receipt): try receipt.validate()
        case let .contactRequest(request): try request.validate()
        case let .externalAddress(address): try address.validate()
        case let .file(file): try file.validate()
        case let .call(call): try call.validate()
        case let .unknown(type, version, payload):
            guard version >= 1 else { throw .invalidVersion(type: type, version: version) }
            guard payload.count <= WireLimits.maxPayloadLength else {
                throw .frameTooLarge(length: UInt64(payload.count), limit: WireLimits.maxPayloadLength)
            }
        case .ping, .pong, .typing, .contactRequestResult:
            break
        }
    }
}
