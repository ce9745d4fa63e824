import Foundation
import ParleyWire
import Testing

/// Numbers from a peer are range-checked where they are decoded: times,
/// sizes and offsets outside their ranges, and NUL in strings, are protocol
/// errors, so nothing later (storage, arithmetic, dates) sees them.
/// Regression tests for the hostile-input defects 1–4 and 13.
@Suite("Field ranges")
struct FieldRangeTests {
    static let id = UUID()

    private func decode(_ type: FrameType, _ build: (inout ByteWriter) -> Void) throws -> WireMessage {
        var writer = ByteWriter()
        build(&writer)
        return try WireMessage(frame: Frame(type: type.rawValue, payload: writer.bytes))
    }

    private func expectOutOfRange(_ field: String, _ type: FrameType,
                                  _ build: (inout ByteWriter) -> Void) {
        #expect {
            _ = try decode(type, build)
        } throws: { error in
            guard case .outOfRange(let named, _, _) = error as? WireError else { return false }
            return named == field
        }
    }

    @Test func chatTimeFromTheFarFutureIsRefused() {
        expectOutOfRange("chat.sentAt", .chatMessage) { writer in
            writer.writeUUID(Self.id)
            writer.writeUInt64(.max)
            writer.writeString("hi")
        }
    }

    @Test func latestAllowedTimeDecodes() throws {
        let message = try decode(.chatMessage) { writer in
            writer.writeUUID(Self.id)
            writer.writeUInt64(WireLimits.maxTimestampMilliseconds)
            writer.writeString("hi")
        }
        #expect(message == .chat(ChatMessage(id: Self.id, sentAt: WireLimits.maxTimestampMilliseconds, body: "hi")))
    }

    @Test func receiptTimeIsChecked() {
        expectOutOfRange("receipt.at", .receipt) { writer in
            writer.writeUInt8(1)
            writer.writeUInt64(WireLimits.maxTimestampMilliseconds + 1)
            writer.writeList([Self.id]) { $0.writeUUID($1) }
        }
    }

    @Test func offerOfAnImpossibleSizeIsRefused() {
        expectOutOfRange("fileOffer.size", .fileOffer) { writer in
            writer.writeUUID(Self.id)
            writer.writeString("big.bin")
            writer.writeUInt64(1 << 63)
            writer.writeRaw(Array(repeating: 0, count: 32))
            writer.writeString("")
        }
    }

    @Test func chunkNearTheEndOfUInt64IsRefused() {
        expectOutOfRange("fileChunk.offset", .fileChunk) { writer in
            writer.writeUUID(Self.id)
            writer.writeUInt64(UInt64.max - 15)
            writer.writeBytes(Array(repeating: 1, count: 100))
        }
    }

    @Test func chunkEndingPastTheLargestFileIsRefused() {
        expectOutOfRange("fileChunk.offset", .fileChunk) { writer in
            writer.writeUUID(Self.id)
            writer.writeUInt64(WireLimits.maxFileSize - 10)
            writer.writeBytes(Array(repeating: 1, count: 11))
        }
    }

    @Test(arguments: [FrameType.fileAck, .fileAccept])
    func acknowledgedOffsetIsChecked(type: FrameType) {
        let field = type == .fileAck ? "fileAck.offset" : "fileAccept.offset"
        expectOutOfRange(field, type) { writer in
            writer.writeUUID(Self.id)
            writer.writeUInt64(.max)
        }
    }

    @Test func nulInsideAStringIsRefused() {
        #expect(throws: WireError.nulCharacter(field: "chat.body")) {
            _ = try decode(.chatMessage) { writer in
                writer.writeUUID(Self.id)
                writer.writeUInt64(0)
                writer.writeString("nul\u{0}inside")
            }
        }
        #expect(throws: WireError.nulCharacter(field: "chat.body")) {
            try WireMessage.chat(ChatMessage(id: Self.id, sentAt: 0, body: "a\u{0}b")).validate()
        }
    }

    @Test func sendersSeeTheSameLimits() {
        #expect(throws: WireError.self) {
            try WireMessage.chat(ChatMessage(id: Self.id, sentAt: .max, body: "x")).validate()
        }
        #expect(throws: WireError.self) {
            try WireMessage.file(.offer(FileOffer(transferID: Self.id, fileName: "f", size: .max,
                                                  sha256: Array(repeating: 0, count: 32)))).validate()
        }
        #expect(throws: WireError.self) { try WireMessage.file(.ack(Self.id, offset: .max)).validate() }
        #expect(throws: WireError.self) {
            try WireMessage.file(.chunk(FileChunk(transferID: Self.id, offset: .max, data: [1]))).validate()
        }
        #expect(FileChunk(transferID: Self.id, offset: .max, data: [1]).end == .max)
    }
}
