import Foundation
import ParleyWire
import Testing

/// Bytes from a hex string; whitespace is ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    precondition(digits.count.isMultiple(of: 2))
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index ..< next], radix: 16)!)
        index = next
    }
    return bytes
}

/// A frame of `type` (version 1 unless given) with `payload`, encoded.
func frameBytes(type: FrameType, version: UInt8 = 1, payload: [UInt8]) -> [UInt8] {
    Frame(type: type.rawValue, version: version, payload: payload).encoded()
}

/// Decodes `payload` as a frame of `type`.
func decode(type: FrameType, version: UInt8 = 1, payload: [UInt8]) throws(WireError) -> WireMessage {
    try WireMessage(frame: Frame(type: type.rawValue, version: version, payload: payload))
}

/// The `WireError` thrown by `body`, or nil if it returns normally.
///
/// (Closures inside `#expect` do not infer typed throws, so this takes any error.)
func wireError(_ body: () throws -> Void) -> WireError? {
    do {
        try body()
        return nil
    } catch let error as WireError {
        return error
    } catch {
        Issue.record("unexpected non-wire error \(error)")
        return nil
    }
}

let sampleID = UUID(uuidString: "6F1C3E2A-9B4D-4E8F-A1B2-C3D4E5F60718")!
let otherID = UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF")!

/// One message of every known type, plus an unknown one.
let sampleMessages: [WireMessage] = [
    .hello(Hello(displayName: "Ada", listenPort: 29172, peerIsContact: true)),
    .hello(Hello(protocolVersion: 3, minProtocolVersion: 2, displayName: "", listenPort: 0,
                 peerIsContact: false, capabilities: [])),
    .ping(nonce: 0),
    .ping(nonce: .max),
    .pong(nonce: 0x0102_0304_0506_0708),
    .close(CloseReason(code: .normal, reason: "bye")),
    .close(CloseReason(code: CloseCode(rawValue: 0xBEEF), reason: "")),
    .chat(ChatMessage(id: sampleID, sentAt: 1_767_225_600_000, body: "Hello, Grace! 👋🏽 é")),
    .chat(ChatMessage(id: otherID, sentAt: 0, body: "")),
    .receipt(Receipt(kind: .delivered, at: 1, ids: [sampleID])),
    .receipt(Receipt(kind: .read, at: WireLimits.maxTimestampMilliseconds, ids: [sampleID, otherID, sampleID])),
    .typing(active: true),
    .typing(active: false),
    .contactRequest(ContactRequest(displayName: "Grace", note: "We met at the conference.", listenPort: 0)),
    .contactRequestResult(.received),
    .contactRequestResult(.alreadyContact),
    .contactRequestResult(.rateLimited),
    .contactRequestResult(.refused),
    .externalAddress(ExternalAddress(address: [198, 51, 100, 20], port: 29172, source: .mapping)),
    .externalAddress(ExternalAddress(address: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1], port: 65535,
                                     source: .stun)),
    .unknown(type: 0x02F5, version: 1, payload: [1, 2, 3]),
    .unknown(type: 0xF00D, version: 7, payload: []),
]

extension WireMessage {
    var isUnknown: Bool {
        if case .unknown = self { true } else { false }
    }
}
