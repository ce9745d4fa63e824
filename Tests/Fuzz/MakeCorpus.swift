// Writes the seed corpus for WireFuzz.swift: one file per frame type plus a
// few multi-frame streams. Byte 0 of each file is the fuzzer's chunk size
// (0 = one append). See README.md for how to build and run it.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(ParleyWire)
import ParleyWire
#endif

@main
struct MakeCorpus {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 else {
            print("usage: make-corpus OUTPUT_DIRECTORY")
            return
        }
        let directory = URL(fileURLWithPath: arguments[1], isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let id = UUID(uuidString: "6F1C3E2A-9B4D-4E8F-A1B2-C3D4E5F60718")!
        let hello = WireMessage.hello(Hello(displayName: "Ada", listenPort: 29172, peerIsContact: true))
        let chat = WireMessage.chat(ChatMessage(id: id, sentAt: 1_767_225_600_000, body: "Hi! 👋"))
        let seeds: [(String, UInt8, [WireMessage])] = [
            ("01-hello", 0, [hello]),
            ("02-ping", 0, [.ping(nonce: 0x0123_4567_89AB_CDEF)]),
            ("03-pong", 0, [.pong(nonce: 0x0123_4567_89AB_CDEF)]),
            ("04-close", 0, [.close(CloseReason(code: .protocolError, reason: "bad frame"))]),
            ("10-chat-message", 0, [chat]),
            ("11-receipt", 0, [.receipt(Receipt(kind: .delivered, at: 1_767_225_601_000, ids: [id, id]))]),
            ("12-typing", 0, [.typing(active: true)]),
            ("20-contact-request", 0,
             [.contactRequest(ContactRequest(displayName: "Grace", note: "Hello from the conference", listenPort: 0))]),
            ("21-contact-request-result", 0, [.contactRequestResult(.received)]),
            ("22-external-address", 0,
             [.externalAddress(ExternalAddress(address: [198, 51, 100, 20], port: 29172, source: .mapping))]),
            ("48-call-candidates", 0, [.call(.candidates(id, CallCandidates(
                ufrag: "Qx7+", password: "abcdefghijklmnopqrstuv", candidates: [
                    ICECandidate(kind: .host, foundation: "1", priority: 2_015_363_327, host: "10.0.1.2", port: 43210),
                    ICECandidate(kind: .serverReflexive, foundation: "2", priority: 1_679_819_007, host: "203.0.113.10", port: 61000),
                    ICECandidate(kind: .relayed, foundation: "3", priority: 8_388_607, host: "2001:db8::1", port: 49152),
                ], complete: true)))]),
            ("49-call-invite-group", 0, [.call(.invite(CallInvite(
                callID: id, ringTimeoutSeconds: 30,
                description: CallDescription(media: [CallMediaOffer(kind: .audio, direction: .sendReceive, payloadType: 111, clockRate: 48000,
                                                                    ssrc: 0x1234_5678, bitrate: 32000)],
                                             candidates: [], srtpKey: Array(repeating: 7, count: 30)),
                group: CallInviteGroup(joining: true, members: ["0123456789ABCDEFGHJKMNPQRSTVWXYZ0123"]))))]),
            ("4a-call-relay", 0, [.call(.relay(CallRelay(callID: id, direction: .forwardedFrom, peer: "0123456789ABCDEFGHJKMNPQRSTVWXYZ0123",
                                                         name: "Carol", frame: .datagram(id, [0x80, 0x6F, 0, 1, 2, 3]))))]),
            ("4b-call-broadcast", 0, [.call(.broadcast(id, live: true, video: true)), .call(.broadcast(id, live: false, video: true))]),
            ("4c-call-invite-watching", 0, [.call(.invite(CallInvite(
                callID: id, ringTimeoutSeconds: 30,
                description: CallDescription(media: [CallMediaOffer(kind: .audio, direction: .receiveOnly, payloadType: 111, clockRate: 48000,
                                                                    ssrc: 0x1234_5678, bitrate: 32000)],
                                             candidates: [], srtpKey: Array(repeating: 7, count: 30)),
                group: CallInviteGroup(joining: false, members: [], watching: true))))]),
            ("f0-unknown-call-signalling", 0, [.unknown(type: 0x02F5, version: 2, payload: [1, 2, 3, 4])]),
            ("30-file-offer", 0, [.file(.offer(FileOffer(transferID: id, fileName: "../notes.txt", size: 4096,
                                                          sha256: Array(repeating: 0x5A, count: 32), mimeType: "text/plain")))]),
            ("31-file-accept", 0, [.file(.accept(id, offset: 1024))]),
            ("32-file-reject", 0, [.file(.reject(id, reason: "no thanks"))]),
            ("33-file-cancel", 0, [.file(.cancel(id, reason: "changed my mind"))]),
            ("34-file-pause-resume", 0, [.file(.pause(id)), .file(.resume(id))]),
            ("35-file-chunk", 0, [.file(.chunk(FileChunk(transferID: id, offset: 0, data: Array("hello file".utf8))))]),
            ("36-file-ack", 0, [.file(.ack(id, offset: 10))]),
            ("37-file-complete", 0, [.file(.complete(id, verified: false, reason: "SHA-256 mismatch"))]),
            ("f1-session-byte-at-a-time", 1,
             [hello, chat, .typing(active: false), .close(CloseReason(code: .normal, reason: "bye"))]),
            ("f2-session-chunks-of-5", 5, [.ping(nonce: 1), .pong(nonce: 1), chat]),
        ]
        for (name, chunkSize, messages) in seeds {
            let bytes = [chunkSize] + messages.flatMap { $0.encoded() }
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        }
        // A newer payload version with appended fields, and an oversized header.
        var newer = chat.frame()
        newer.version = 2
        newer.payload += [0xAA, 0xBB]
        try Data([0] + newer.encoded()).write(to: directory.appendingPathComponent("f3-chat-v2-trailing"))
        try Data([0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x10, 0x01, 0x00])
            .write(to: directory.appendingPathComponent("f4-oversized-header"))
        print("wrote \(seeds.count + 2) files to \(directory.path)")
    }
}
