import Foundation
@_spi(Fuzzing) import ParleyNode
import ParleyWire
import Testing

/// The node-level fuzzer's harness as regression tests: what a contact sends
/// after HELLO, through the node's own session code and a real store. Every
/// finding of `make fuzz-node` becomes a case here; the seed corpus is
/// replayed too.
@Suite("Peer frames against a real store", .serialized, .timeLimit(.minutes(2)))
struct PeerFrameHarnessTests {
    static func bytes(_ messages: [WireMessage]) -> [UInt8] { messages.flatMap { $0.encoded() } }

    static func raw(_ type: FrameType, _ build: (inout ByteWriter) -> Void) -> [UInt8] {
        var writer = ByteWriter()
        build(&writer)
        return Frame(type: type.rawValue, payload: writer.bytes).encoded()
    }

    private func withHarness(_ body: (PeerFrameHarness) async throws -> Void) async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appending(path: "parley-harness-\(UUID().uuidString)")
        let harness = try await PeerFrameHarness(folder: folder)
        defer { harness.remove() }
        try await body(harness)
        #expect(harness.invariantProblems() == [])
    }

    @Test func chatIsStoredOnceAndReceiptsApply() async throws {
        try await withHarness { harness in
            let id = UUID()
            let chat = WireMessage.chat(ChatMessage(id: id, sentAt: 1_767_225_600_000, body: "hi"))
            #expect(await harness.run(Self.bytes([chat, chat, .typing(active: true)])) == .handled(frames: 3))
        }
    }

    /// Hostile-input defects 1–4 as the fuzzer would find them.
    @Test func framesThatUsedToCrashTheNodeEndTheLinkInstead() async throws {
        try await withHarness { harness in
            let id = UUID()
            let farFuture = Self.raw(.chatMessage) { writer in
                writer.writeUUID(UUID())
                writer.writeUInt64(.max)
                writer.writeString("from the end of time")
            }
            let hugeOffer = Self.raw(.fileOffer) { writer in
                writer.writeUUID(UUID())
                writer.writeString("huge")
                writer.writeUInt64(1 << 63)
                writer.writeRaw(Array(repeating: 0, count: 32))
                writer.writeString("")
            }
            let smallOffer = WireMessage.file(.offer(FileOffer(transferID: id, fileName: "small", size: 100,
                                                               sha256: Array(repeating: 0, count: 32)))).encoded()
            let lateChunk = Self.raw(.fileChunk) { writer in
                writer.writeUUID(id)
                writer.writeUInt64(UInt64.max - 15)
                writer.writeBytes(Array(repeating: 1, count: 100))
            }
            let hugeAck = Self.raw(.fileAck) { writer in
                writer.writeUUID(id)
                writer.writeUInt64(.max)
            }
            for input in [farFuture, hugeOffer, smallOffer + lateChunk, hugeAck] {
                guard case .malformed = await harness.run(input) else {
                    Issue.record("expected the frame to be refused where it is decoded")
                    continue
                }
            }
            // In range but past the offered size: a violation of the transfer's rules.
            let pastTheEnd = WireMessage.file(.chunk(FileChunk(transferID: id, offset: 90, data: Array(repeating: 1, count: 20))))
            guard case .violation = await harness.run(Self.bytes([pastTheEnd])) else {
                Issue.record("a chunk past the offered size must end the link")
                return
            }
        }
    }

    @Test func anOfferedFileArrivesVerified() async throws {
        try await withHarness { harness in
            let content = Array("hello, file\n".utf8)
            let id = UUID()
            let offer = FileOffer(transferID: id, fileName: "note.txt", size: UInt64(content.count),
                                  sha256: sha256(content))
            let outcome = await harness.run(Self.bytes([.file(.offer(offer)),
                                                  .file(.chunk(FileChunk(transferID: id, offset: 0, data: content)))]))
            #expect(outcome == .handled(frames: 2))
            let arrived = try Data(contentsOf: URL(fileURLWithPath: harness.downloadsPath).appending(path: "note.txt"))
            #expect(Array(arrived) == content)
        }
    }

    @Test func seedCorpusKeepsTheStoreSound() async throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Fuzz/corpus/node")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        #expect(files.count >= 10)
        try await withHarness { harness in
            for file in files {
                let data = try Data(contentsOf: corpus.appending(path: file))
                await harness.run(Array(data))
                #expect(harness.invariantProblems() == [], "after \(file)")
            }
        }
    }

    /// EXTERNAL_ADDRESS becomes a learned address of the contact; one nobody can dial ends the
    /// link where it is decoded; a flood ends it too, and never stores more than a few addresses.
    @Test func externalAddressesAreStoredWithinBounds() async throws {
        try await withHarness { harness in
            func frame(_ last: UInt8, port: UInt16 = 29172) -> WireMessage {
                .externalAddress(ExternalAddress(address: [198, 51, 100, last], port: port, source: .mapping))
            }
            #expect(await harness.run(Self.bytes([frame(20)])) == .handled(frames: 1))
            #expect(harness.contactAddresses == ["198.51.100.20:29172"])
            let loopback = Self.raw(.externalAddress) { writer in
                writer.writeUInt8(4)
                writer.writeRaw([127, 0, 0, 1])
                writer.writeUInt16(22)
                writer.writeUInt8(1)
            }
            guard case .malformed = await harness.run(loopback) else {
                Issue.record("a loopback address must be refused where it is decoded")
                return
            }
            guard case .violation = await harness.run(Self.bytes((1 ... 40).map { frame($0, port: 1000 + UInt16($0)) })) else {
                Issue.record("a flood of EXTERNAL_ADDRESS frames must end the link")
                return
            }
            #expect(harness.contactAddresses.count == 8)  // ExternalAddressService.learnedAddressesKept
            #expect(!harness.contactAddresses.contains("127.0.0.1:22"))
        }
    }

    /// A contact that sends call invitations in a loop cannot fill the call log: the first
    /// rings, the next ones are answered busy and logged, beyond ten a minute they are ignored.
    @Test func aFloodOfCallInvitationsIsBounded() async throws {
        try await withHarness { harness in
            let key = [UInt8](repeating: 9, count: 30)
            let audio = CallMediaOffer(kind: .audio, direction: .sendReceive, payloadType: 111, clockRate: 48000, ssrc: 7, bitrate: 32000)
            let invites = (0 ..< 200).map { _ in
                WireMessage.call(.invite(CallInvite(callID: UUID(), ringTimeoutSeconds: 600, description: CallDescription(
                    media: [audio], candidates: [CallCandidate(host: "127.0.0.1", port: 9)], srtpKey: key))))
            }
            #expect(await harness.run(Self.bytes(invites)) == .handled(frames: 200))
            #expect(harness.callLogCount == CallManagerLimits.maxInvitesPerMinute)
        }
    }

}

/// SHA-256 through the system's sha256sum (the test target has no crypto library of its own).
private func sha256(_ bytes: [UInt8]) -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try? process.run()
    input.fileHandleForWriting.write(Data(bytes))
    try? input.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let hex = Array(text.prefix(64))
    return stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(hex[$0...$0 + 1]), radix: 16) }
}
