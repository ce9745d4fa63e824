/// A frame type code (the header's `type` field) with names for the known types.
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit type code.
    public var rawValue: UInt16

    /// Wraps a type code.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Wraps a type code.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// Session opener: versions, display name, capabilities.
    public static let hello = FrameType(0x0001)
    /// Keep-alive probe.
    public static let ping = FrameType(0x0002)
    /// Keep-alive answer echoing the PING nonce.
    public static let pong = FrameType(0x0003)
    /// Orderly shutdown with a code and reason.
    public static let close = FrameType(0x0004)
    /// A chat message.
    public static let chatMessage = FrameType(0x0010)
    /// Delivered/read acknowledgement for chat messages.
    public static let receipt = FrameType(0x0011)
    /// Typing indicator.
    public static let typing = FrameType(0x0012)
    /// Request from an unknown peer to become a contact.
    public static let contactRequest = FrameType(0x0020)
    /// Answer to a CONTACT_REQUEST.
    public static let contactRequestResult = FrameType(0x0021)
    /// Where the sender can be dialled from outside its network (a mapped port).
    public static let externalAddress = FrameType(0x0030)

    /// File transfer: offer, accept, reject, cancel, pause, resume, chunk, ack, complete.
    public static let fileOffer = FrameType(0x0101)
    public static let fileAccept = FrameType(0x0102)
    public static let fileReject = FrameType(0x0103)
    public static let fileCancel = FrameType(0x0104)
    public static let filePause = FrameType(0x0105)
    public static let fileResume = FrameType(0x0106)
    public static let fileChunk = FrameType(0x0107)
    public static let fileAck = FrameType(0x0108)
    public static let fileComplete = FrameType(0x0109)

    /// Call signalling: invite, ringing, accept, reject, cancel, hang-up, media state.
    public static let callInvite = FrameType(0x0201)
    public static let callRinging = FrameType(0x0202)
    public static let callAccept = FrameType(0x0203)
    public static let callReject = FrameType(0x0204)
    public static let callCancel = FrameType(0x0205)
    public static let callHangup = FrameType(0x0206)
    public static let callMediaState = FrameType(0x0207)
    /// ICE credentials and candidates of a call (trickled).
    public static let callCandidates = FrameType(0x0208)
    /// A call frame relayed between two participants of a group call by a third.
    public static let callRelay = FrameType(0x0209)
    /// A live broadcast the receiver may watch, or its end.
    public static let callBroadcast = FrameType(0x020A)
    /// One media datagram of a call, tunnelled through the link.
    public static let datagram = FrameType(0x0300)

    /// The file-transfer range; codes in it not listed above decode as ``WireMessage/unknown(type:version:payload:)``.
    public static let fileTransferRange: ClosedRange<UInt16> = 0x0100 ... 0x01FF
    /// Reserved for call signalling.
    public static let callSignallingRange: ClosedRange<UInt16> = 0x0200 ... 0x02FF
    /// Reserved for datagrams (tunnelled media).
    public static let datagramRange: ClosedRange<UInt16> = 0x0300 ... 0x03FF
    /// Reserved for experiments; never assigned to a standard type.
    public static let experimentalRange: ClosedRange<UInt16> = 0xF000 ... 0xFFFF

    /// Every type this implementation decodes into a specific ``WireMessage`` case.
    public static let known: [FrameType] = [
        .hello, .ping, .pong, .close, .chatMessage, .receipt, .typing, .contactRequest, .contactRequestResult,
        .externalAddress,
        .fileOffer, .fileAccept, .fileReject, .fileCancel, .filePause, .fileResume, .fileChunk, .fileAck, .fileComplete,
        .callInvite, .callRinging, .callAccept, .callReject, .callCancel, .callHangup, .callMediaState, .callCandidates, .callRelay, .callBroadcast, .datagram,
    ]

    /// Protocol name of a known type (e.g. `CHAT_MESSAGE`), or `nil`.
    public var name: String? {
        switch self {
        case .hello: "HELLO"
        case .ping: "PING"
        case .pong: "PONG"
        case .close: "CLOSE"
        case .chatMessage: "CHAT_MESSAGE"
        case .receipt: "RECEIPT"
        case .typing: "TYPING"
        case .contactRequest: "CONTACT_REQUEST"
        case .contactRequestResult: "CONTACT_REQUEST_RESULT"
        case .externalAddress: "EXTERNAL_ADDRESS"
        case .fileOffer: "FILE_OFFER"
        case .fileAccept: "FILE_ACCEPT"
        case .fileReject: "FILE_REJECT"
        case .fileCancel: "FILE_CANCEL"
        case .filePause: "FILE_PAUSE"
        case .fileResume: "FILE_RESUME"
        case .fileChunk: "FILE_CHUNK"
        case .fileAck: "FILE_ACK"
        case .fileComplete: "FILE_COMPLETE"
        case .callInvite: "CALL_INVITE"
        case .callRinging: "CALL_RINGING"
        case .callAccept: "CALL_ACCEPT"
        case .callReject: "CALL_REJECT"
        case .callCancel: "CALL_CANCEL"
        case .callHangup: "CALL_HANGUP"
        case .callMediaState: "CALL_MEDIA_STATE"
        case .callCandidates: "CALL_CANDIDATES"
        case .callRelay: "CALL_RELAY"
        case .callBroadcast: "CALL_BROADCAST"
        case .datagram: "DATAGRAM"
        default: nil
        }
    }

    /// The protocol name if known, else the code as `0x` and four hex digits.
    public var description: String {
        if let name { return name }
        let hex = String(rawValue, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
