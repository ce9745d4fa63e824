import Foundation
import ParleyWire
import Testing

@Suite("WireMessage round trips and evolution")
struct WireMessageTests {
    @Test(arguments: sampleMessages)
    func roundTrip(message: WireMessage) throws {
        let frame = message.frame()
        #expect(frame.flags == 0)
        #expect(frame.type == message.type)
        #expect(try WireMessage(frame: frame) == message)

        var decoder = FrameDecoder()
        decoder.append(message.encoded())
        let decoded = try #require(try decoder.nextFrame())
        #expect(decoded == frame)
        #expect(try WireMessage(frame: decoded) == message)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: sampleMessages)
    func sampleMessagesAreValid(message: WireMessage) throws {
        try message.validate()
    }

    @Test func knownTypesUseVersionOne() {
        for message in sampleMessages where !message.isUnknown {
            #expect(message.frame().version == 1)
        }
    }

    @Test(arguments: [UInt16(0x0000), 0x0005, 0x0013, 0x0022, 0x0100, 0x01FF, 0x0200, 0x020B, 0x0301, 0x03FF, 0xF000, 0xFFFF])
    func unknownTypesPassThrough(type: UInt16) throws {
        let frame = Frame(type: type, version: 3, flags: 9, payload: [0xDE, 0xAD])
        let message = try WireMessage(frame: frame)
        #expect(message == .unknown(type: type, version: 3, payload: [0xDE, 0xAD]))
        #expect(message.frame() == Frame(type: type, version: 3, flags: 0, payload: [0xDE, 0xAD]))
    }

    @Test func versionZeroIsMalformed() {
        for type in FrameType.known + [FrameType(0x02F5)] {
            let payload = WireMessage.ping(nonce: 1).frame().payload
            #expect(wireError { _ = try decode(type: type, version: 0, payload: payload) }
                == .invalidVersion(type: type.rawValue, version: 0))
        }
    }

    @Test(arguments: sampleMessages)
    func trailingBytesIgnoredForAnyVersion(message: WireMessage) throws {
        guard !message.isUnknown else { return }
        let frame = message.frame()
        for version: UInt8 in [1, 2, 255] {
            let extended = Frame(type: frame.type, version: version, payload: frame.payload + [0, 1, 2, 0xFF])
            #expect(try WireMessage(frame: extended) == message)
        }
    }

    @Test func eachTruncationOfEveryKnownMessageIsMalformed() {
        for message in sampleMessages where !message.isUnknown {
            let frame = message.frame()
            for cut in 0 ..< frame.payload.count {
                let short = Frame(type: frame.type, payload: Array(frame.payload.prefix(cut)))
                guard case .truncated? = wireError({ _ = try WireMessage(frame: short) }) else {
                    Issue.record("\(message) cut to \(cut) bytes did not report truncation")
                    continue
                }
            }
        }
    }

    @Test func errorsNameTheField() {
        #expect(wireError { _ = try decode(type: .ping, payload: [1, 2, 3]) } == .truncated(field: "ping.nonce"))
        #expect(wireError { _ = try decode(type: .chatMessage, payload: Array(repeating: 0, count: 20)) }
            == .truncated(field: "chat.sentAt"))
        #expect(wireError { _ = try decode(type: .typing, payload: []) } == .truncated(field: "typing.active"))
    }

    @Test func typingBoolTwoIsInvalid() {
        #expect(wireError { _ = try decode(type: .typing, payload: [2]) }
            == .invalidValue(field: "typing.active", value: 2))
    }

    @Test func helloBoolTwoIsInvalid() {
        var payload = WireMessage.hello(Hello(displayName: "A", listenPort: 1, peerIsContact: true)).frame().payload
        // protocolVersion(2) + minProtocolVersion(2) + displayName(4+1) + listenPort(2) = offset 11
        #expect(payload[11] == 1)
        payload[11] = 2
        #expect(wireError { _ = try decode(type: .hello, payload: payload) }
            == .invalidValue(field: "hello.peerIsContact", value: 2))
    }

    @Test func chatBodyInvalidUTF8() {
        var writer = ByteWriter()
        writer.writeUUID(sampleID)
        writer.writeUInt64(5)
        writer.writeBytes([0x61, 0xC3, 0x28])
        #expect(wireError { _ = try decode(type: .chatMessage, payload: writer.bytes) }
            == .invalidUTF8(field: "chat.body"))
    }

    @Test func chatBodyLimit() throws {
        let atLimit = String(repeating: "é", count: WireLimits.maxChatBodyBytes / 2)
        let ok = WireMessage.chat(ChatMessage(id: sampleID, sentAt: 0, body: atLimit))
        try ok.validate()
        #expect(try WireMessage(frame: ok.frame()) == ok)

        let over = WireMessage.chat(ChatMessage(id: sampleID, sentAt: 0, body: atLimit + "x"))
        let expected = WireError.fieldTooLong(field: "chat.body", length: 65_537, limit: 65_536)
        #expect(wireError { try over.validate() } == expected)
        #expect(wireError { _ = try WireMessage(frame: over.frame()) } == expected)
    }

    @Test func oversizeStringLengthRejectedWithoutTheBytes() {
        var writer = ByteWriter()
        writer.writeUInt16(1)
        writer.writeUInt16(1)
        writer.writeUInt32(257)  // displayName length, no bytes follow
        #expect(wireError { _ = try decode(type: .hello, payload: writer.bytes) }
            == .fieldTooLong(field: "hello.displayName", length: 257, limit: 256))
    }

    @Test func stringLimits() {
        let name257 = String(repeating: "n", count: 257)
        let cases: [(WireMessage, WireError)] = [
            (.hello(Hello(displayName: name257, listenPort: 0, peerIsContact: true)),
             .fieldTooLong(field: "hello.displayName", length: 257, limit: 256)),
            (.hello(Hello(displayName: "a", listenPort: 0, peerIsContact: true,
                          capabilities: [String(repeating: "c", count: 65)])),
             .fieldTooLong(field: "hello.capabilities[]", length: 65, limit: 64)),
            (.hello(Hello(displayName: "a", listenPort: 0, peerIsContact: true,
                          capabilities: Array(repeating: "chat", count: 33))),
             .invalidCount(field: "hello.capabilities", count: 33, allowed: 0 ... 32)),
            (.close(CloseReason(code: .normal, reason: String(repeating: "r", count: 1025))),
             .fieldTooLong(field: "close.reason", length: 1025, limit: 1024)),
            (.contactRequest(ContactRequest(displayName: name257, note: "", listenPort: 0)),
             .fieldTooLong(field: "contactRequest.displayName", length: 257, limit: 256)),
            (.contactRequest(ContactRequest(displayName: "a", note: String(repeating: "n", count: 1025), listenPort: 0)),
             .fieldTooLong(field: "contactRequest.note", length: 1025, limit: 1024)),
        ]
        for (message, error) in cases {
            #expect(wireError { try message.validate() } == error)
            #expect(wireError { _ = try WireMessage(frame: message.frame()) } == error)
        }
    }

    @Test func receiptIDCount() throws {
        let none = WireMessage.receipt(Receipt(kind: .delivered, at: 0, ids: []))
        let tooMany = WireMessage.receipt(Receipt(kind: .read, at: 0, ids: Array(repeating: sampleID, count: 1025)))
        let max = WireMessage.receipt(Receipt(kind: .read, at: 0, ids: Array(repeating: sampleID, count: 1024)))
        #expect(wireError { _ = try WireMessage(frame: none.frame()) }
            == .invalidCount(field: "receipt.ids", count: 0, allowed: 1 ... 1024))
        #expect(wireError { _ = try WireMessage(frame: tooMany.frame()) }
            == .invalidCount(field: "receipt.ids", count: 1025, allowed: 1 ... 1024))
        #expect(wireError { try none.validate() } != nil)
        #expect(wireError { try tooMany.validate() } != nil)
        #expect(try WireMessage(frame: max.frame()) == max)
    }

    @Test func receiptKindAndStatusValues() {
        for kind: UInt8 in [0, 3, 255] {
            var payload = WireMessage.receipt(Receipt(kind: .read, at: 0, ids: [sampleID])).frame().payload
            payload[0] = kind
            #expect(wireError { _ = try decode(type: .receipt, payload: payload) }
                == .invalidValue(field: "receipt.kind", value: UInt64(kind)))
        }
        for status: UInt8 in [0, 5, 255] {
            #expect(wireError { _ = try decode(type: .contactRequestResult, payload: [status]) }
                == .invalidValue(field: "contactRequestResult.status", value: UInt64(status)))
        }
    }

    @Test func unknownCloseCodesArePreserved() throws {
        let message = try decode(type: .close, payload: hex("1234 00000000"))
        #expect(message == .close(CloseReason(code: CloseCode(rawValue: 0x1234), reason: "")))
        #expect(CloseCode(rawValue: 0x1234).description == "code 4660")
        #expect(CloseCode.rateLimited.rawValue == 10)
        #expect(CloseCode.duplicateLink.description == "duplicateLink")
    }

    @Test func protocolErrorCloseReasonFits() throws {
        let error = WireError.frameTooLarge(length: 0xFFFF_FFFF, limit: 1 << 20)
        let close = CloseReason(protocolError: error)
        #expect(close.code == .protocolError)
        #expect(close.reason == "Frame payload of 4294967295 bytes exceeds the limit of 1048576 bytes.")
        #expect(CloseReason.fitting(String(repeating: "é", count: 600)).utf8.count == 1024)
        #expect(CloseReason.fitting(String(repeating: "€", count: 600)).utf8.count == 1023)
    }

    @Test func errorDescriptionsAreSentences() {
        let errors: [WireError] = [
            .frameTooLarge(length: 5, limit: 4), .truncated(field: "f"), .invalidUTF8(field: "f"),
            .fieldTooLong(field: "f", length: 2, limit: 1), .invalidValue(field: "f", value: 2),
            .invalidCount(field: "f", count: 0, allowed: 1 ... 2), .invalidVersion(type: 0x10, version: 0),
        ]
        for error in errors {
            #expect(error.description.hasSuffix("."))
            #expect(error.description.first?.isUppercase == true)
        }
        #expect(WireError.invalidVersion(type: 0x10, version: 0).description
            == "Frame type CHAT_MESSAGE has the invalid payload version 0.")
    }

    @Test func versionNegotiation() {
        func hello(_ version: UInt16, _ minimum: UInt16) -> Hello {
            Hello(protocolVersion: version, minProtocolVersion: minimum, displayName: "", listenPort: 0, peerIsContact: true)
        }
        #expect(Hello.negotiatedProtocolVersion(local: hello(1, 1), remote: hello(1, 1)) == 1)
        #expect(Hello.negotiatedProtocolVersion(local: hello(3, 1), remote: hello(2, 1)) == 2)
        #expect(Hello.negotiatedProtocolVersion(local: hello(3, 3), remote: hello(2, 1)) == nil)
        #expect(Hello.negotiatedProtocolVersion(local: hello(2, 1), remote: hello(3, 3)) == nil)
        #expect(Hello(displayName: "", listenPort: 0, peerIsContact: true).capabilities
            == ["chat", "receipts", "typing", "contact-request", "file", "call", "datagram", "external-address"])
    }
}
