import Foundation
import ParleyWire
import Testing

/// CALL_CANDIDATES round-trips, and every field is checked where it is decoded.
@Suite("CALL_CANDIDATES frames")
struct CallCandidatesFrameTests {
    static let id = UUID()
    static let ufrag = "aB3+"
    static let password = "abcdefghijklmnopqrstuv"

    static let body = CallCandidates(ufrag: ufrag, password: password, candidates: [
        ICECandidate(kind: .host, foundation: "1", priority: 2_130_706_431, host: "10.0.1.2", port: 40000),
        ICECandidate(kind: .serverReflexive, foundation: "2", priority: 1_694_498_815, host: "203.0.113.10", port: 61000),
        ICECandidate(kind: .relayed, foundation: "3+/", priority: 16_777_215, host: "2001:db8::7", port: 49152),
    ], complete: false)

    @Test func roundTrips() throws {
        for frame in [CallFrame.candidates(Self.id, Self.body),
                      .candidates(Self.id, CallCandidates(ufrag: Self.ufrag, password: Self.password, candidates: [], complete: true))] {
            let message = WireMessage.call(frame)
            try message.validate()
            #expect(try WireMessage(frame: message.frame()) == message)
            #expect(FrameType(message.type).name == "CALL_CANDIDATES")
        }
    }

    private struct Fields {
        var ufrag = CallCandidatesFrameTests.ufrag
        var password = CallCandidatesFrameTests.password
        var count: UInt16 = 1
        var kind: UInt8 = 0
        var foundation = "1"
        var priority: UInt32 = 100
        var host = "10.0.1.2"
        var port: UInt16 = 5000
    }

    private func decode(_ fields: Fields) throws -> WireMessage {
        var writer = ByteWriter()
        writer.writeUUID(Self.id)
        writer.writeString(fields.ufrag)
        writer.writeString(fields.password)
        writer.writeUInt16(fields.count)
        for _ in 0 ..< fields.count {
            writer.writeUInt8(fields.kind)
            writer.writeString(fields.foundation)
            writer.writeUInt32(fields.priority)
            writer.writeString(fields.host)
            writer.writeUInt16(fields.port)
        }
        writer.writeBool(true)
        return try WireMessage(frame: Frame(type: FrameType.callCandidates.rawValue, payload: writer.bytes))
    }

    @Test func aWellFormedFrameDecodes() throws {
        guard case .call(.candidates(_, let body)) = try decode(Fields()) else {
            Issue.record("not a CALL_CANDIDATES frame")
            return
        }
        #expect(body.candidates.first == ICECandidate(kind: .host, foundation: "1", priority: 100, host: "10.0.1.2", port: 5000))
        #expect(body.complete)
    }

    @Test func malformedFieldsAreRefused() {
        let cases: [(String, (inout Fields) -> Void)] = [
            ("short ufrag", { $0.ufrag = "abc" }),
            ("ufrag with a space", { $0.ufrag = "ab cd" }),
            ("short password", { $0.password = "short" }),
            ("password with a quote", { $0.password = "abcdefghijklmnopqrstu\"" }),
            ("33 candidates", { $0.count = 33 }),
            ("unknown kind", { $0.kind = 4 }),
            ("empty foundation", { $0.foundation = "" }),
            ("long foundation", { $0.foundation = String(repeating: "a", count: 33) }),
            ("foundation with a dash", { $0.foundation = "a-b" }),
            ("priority 0", { $0.priority = 0 }),
            ("host name", { $0.host = "example.org" }),
            ("host with a space", { $0.host = "fe80::1 x" }),
            ("port 0", { $0.port = 0 }),
        ]
        for (name, change) in cases {
            var fields = Fields()
            change(&fields)
            #expect(throws: WireError.self, "\(name)") { _ = try decode(fields) }
        }
    }

    @Test func theSenderChecksTheSameLimits() {
        var body = Self.body
        body.candidates[0].foundation = "not ice"
        #expect(throws: WireError.self) { try WireMessage.call(.candidates(Self.id, body)).validate() }
        body = Self.body
        body.ufrag = "abc"
        #expect(throws: WireError.self) { try WireMessage.call(.candidates(Self.id, body)).validate() }
    }
}
