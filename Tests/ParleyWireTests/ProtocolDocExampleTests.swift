import Foundation
import ParleyWire
import Testing

/// The hex dumps in docs/PROTOCOL.md section 3.5 must match the encoder.
@Suite("docs/PROTOCOL.md examples")
struct ProtocolDocExampleTests {
    @Test func chatMessageExample() throws {
        let message = WireMessage.chat(ChatMessage(id: sampleID, sentAt: 1_767_225_600_000, body: "Hi! 👋"))
        let expected = hex("""
            00 00 00 24 00 10 01 00 6f 1c 3e 2a 9b 4d 4e 8f
            a1 b2 c3 d4 e5 f6 07 18 00 00 01 9b 76 da a8 00
            00 00 00 08 48 69 21 20 f0 9f 91 8b
            """)
        #expect(message.encoded() == expected)
        var decoder = FrameDecoder()
        decoder.append(expected)
        #expect(try WireMessage(frame: try #require(try decoder.nextFrame())) == message)
    }

    @Test func helloExample() throws {
        let message = WireMessage.hello(Hello(displayName: "Ada", listenPort: 29172, peerIsContact: true,
                                              capabilities: ["chat", "receipts", "typing", "contact-request"]))
        let expected = hex("""
            00 00 00 41 00 01 01 00 00 01 00 01 00 00 00 03
            41 64 61 71 f4 01 00 04 00 00 00 04 63 68 61 74
            00 00 00 08 72 65 63 65 69 70 74 73 00 00 00 06
            74 79 70 69 6e 67 00 00 00 0f 63 6f 6e 74 61 63
            74 2d 72 65 71 75 65 73 74
            """)
        #expect(message.encoded() == expected)
        #expect(try WireMessage(frame: Frame(type: 0x0001, payload: Array(expected.dropFirst(8)))) == message)
    }

    @Test func documentedConstants() {
        #expect(WireProtocol.defaultPort == 29172)
        #expect(WireProtocol.version == 1 && WireProtocol.minimumVersion == 1)
        #expect(WireProtocol.helloTimeout == .seconds(10))
        #expect(WireProtocol.keepAliveInterval == .seconds(10))
        #expect(WireProtocol.deadLinkTimeout == .seconds(30))
        #expect(WireLimits.maxDisplayNameBytes == 256)
        #expect(WireLimits.maxChatBodyBytes == 65_536)
        #expect(WireLimits.maxContactNoteBytes == 1024)
        #expect(WireLimits.maxCloseReasonBytes == 1024)
        #expect(WireLimits.maxReceiptIDs == 1024)
        #expect(WireLimits.maxCapabilities == 32)
        #expect(WireLimits.maxCapabilityBytes == 64)
        let codes: [CloseCode] = [.normal, .protocolError, .handshakeTimeout, .unsupportedVersion, .notAContact,
                                  .blocked, .duplicateLink, .shuttingDown, .idleTimeout, .rateLimited]
        #expect(codes.map(\.rawValue) == Array(1 ... 10))
        #expect(FrameType.known.map(\.rawValue) == [0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x20, 0x21, 0x30]
            + Array(0x0101...0x0109) + Array(0x0201...0x020A) + [0x0300])
        #expect(ReceiptKind.allCases.map(\.rawValue) == [1, 2])
        #expect(ContactRequestStatus.allCases.map(\.rawValue) == [1, 2, 3, 4])
    }
}
