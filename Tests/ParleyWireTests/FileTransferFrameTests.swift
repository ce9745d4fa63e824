import Foundation
import ParleyWire
import Testing

@Suite("File transfer frames")
struct FileTransferFrameTests {
    static let id = UUID()
    static let frames: [FileTransferFrame] = [
        .offer(FileOffer(transferID: id, fileName: "../x.bin", size: 1 << 40, sha256: Array(repeating: 7, count: 32),
                         mimeType: "application/octet-stream")),
        .accept(id, offset: 12345),
        .reject(id, reason: "no"),
        .cancel(id, reason: "changed my mind"),
        .pause(id),
        .resume(id),
        .chunk(FileChunk(transferID: id, offset: 99, data: Array(repeating: 0xAB, count: WireLimits.maxFileChunkBytes))),
        .ack(id, offset: 1 << 33),
        .complete(id, verified: false, reason: "SHA-256 mismatch"),
    ]

    @Test(arguments: frames)
    func roundTrips(frame: FileTransferFrame) throws {
        let encoded = WireMessage.file(frame).encoded()
        var decoder = FrameDecoder()
        decoder.append(encoded)
        let decoded = try #require(try decoder.nextFrame())
        #expect(try WireMessage(frame: decoded) == .file(frame))
        #expect(frame.transferID == Self.id)
    }

    @Test func oversizedChunkIsMalformed() {
        var writer = ByteWriter()
        writer.writeUUID(Self.id)
        writer.writeUInt64(0)
        writer.writeBytes(Array(repeating: 0, count: WireLimits.maxFileChunkBytes + 1))
        let frame = Frame(type: FrameType.fileChunk.rawValue, payload: writer.bytes)
        #expect(throws: WireError.self) { try WireMessage(frame: frame) }
    }

    @Test func shortHashIsMalformed() {
        var writer = ByteWriter()
        writer.writeUUID(Self.id)
        writer.writeString("a")
        writer.writeUInt64(1)
        writer.writeRaw([1, 2, 3])
        #expect(throws: WireError.self) { try WireMessage(frame: Frame(type: FrameType.fileOffer.rawValue, payload: writer.bytes)) }
    }
}
