import Foundation
import ParleyWire
import Testing

/// Call frames round-trip, and every number and list in them is range-checked where it is
/// decoded.
@Suite("Call frames")
struct CallFrameTests {
    static let id = UUID()
    static let key = (0 ..< 30).map { UInt8($0) }
    static let member = "0123456789ABCDEFGHJKMNPQRSTVWXYZ0123"

    static func description(video: Bool = true) -> CallDescription {
        var media = [CallMediaOffer(kind: .audio, direction: .sendReceive, payloadType: 111, clockRate: 48000,
                                    ssrc: 0x1234_5678, bitrate: 32000)]
        if video {
            media.append(CallMediaOffer(kind: .video, direction: .receiveOnly, payloadType: 96, clockRate: 90000,
                                        ssrc: 0xDEAD_BEEF, bitrate: 800_000, width: 640, height: 480, frameRate: 30))
        }
        return CallDescription(media: media, candidates: [CallCandidate(host: "192.0.2.7", port: 40000),
                                                          CallCandidate(host: "2001:db8::1", port: 40002)],
                               srtpKey: key)
    }

    static let every: [CallFrame] = [
        .invite(CallInvite(callID: id, ringTimeoutSeconds: 30, description: description())),
        .invite(CallInvite(callID: id, ringTimeoutSeconds: 30, description: description(),
                           group: CallInviteGroup(joining: true, members: [member, String(member.reversed())]))),
        .invite(CallInvite(callID: id, ringTimeoutSeconds: 30, description: description(video: false),
                           group: CallInviteGroup(joining: false, members: []))),
        .ringing(id),
        .accept(id, description(video: false)),
        .reject(id, reason: .busy, detail: "in another call"),
        .cancel(id),
        .hangup(id, reason: .connectionLost, detail: "no media for 10 s"),
        .mediaState(id, kind: .video, scope: .yourSending, on: false),
        .datagram(id, [0x80, 0x6F, 1, 2, 3]),
        .relay(CallRelay(callID: id, direction: .forwardTo, peer: member, frame: .datagram(id, [0x80, 0x6F, 9]))),
        .invite(CallInvite(callID: id, ringTimeoutSeconds: 30, description: description(),
                           group: CallInviteGroup(joining: false, members: [], watching: true))),
        .broadcast(id, live: true, video: true),
        .broadcast(id, live: false, video: false),
        .relay(CallRelay(callID: id, direction: .forwardedFrom, peer: member, name: "carol",
                         frame: .invite(CallInvite(callID: id, ringTimeoutSeconds: 30, description: description(),
                                                   group: CallInviteGroup(joining: true, members: []))))),
    ]

    @Test(arguments: every)
    func roundTrips(_ frame: CallFrame) throws {
        let message = WireMessage.call(frame)
        try message.validate()
        let decoded = try WireMessage(frame: message.frame())
        #expect(decoded == message)
        #expect(FrameType(message.type).name != nil)
    }

    private func decode(_ type: FrameType, _ build: (inout ByteWriter) -> Void) throws -> WireMessage {
        var writer = ByteWriter()
        build(&writer)
        return try WireMessage(frame: Frame(type: type.rawValue, payload: writer.bytes))
    }

    private func invite(ringTimeout: UInt16 = 30, _ media: (inout ByteWriter) -> Void,
                        candidates: Int = 0, keyLength: Int = 30) throws -> WireMessage {
        try decode(.callInvite) { writer in
            writer.writeUUID(Self.id)
            writer.writeUInt16(ringTimeout)
            media(&writer)
            writer.writeUInt16(UInt16(candidates))
            for _ in 0 ..< candidates { writer.writeString("127.0.0.1"); writer.writeUInt16(5000) }
            writer.writeBytes([UInt8](repeating: 7, count: keyLength))
        }
    }

    private func oneAudio(payloadType: UInt8 = 111, clockRate: UInt32 = 48000, bitrate: UInt32 = 32000,
                          direction: UInt8 = 3, kind: UInt8 = 1, width: UInt16 = 0) -> (inout ByteWriter) -> Void {
        { writer in
            writer.writeUInt16(1)
            writer.writeUInt8(kind)
            writer.writeUInt8(direction)
            writer.writeUInt8(payloadType)
            writer.writeUInt32(clockRate)
            writer.writeUInt32(42)
            writer.writeUInt32(bitrate)
            writer.writeUInt16(width)
            writer.writeUInt16(0)
            writer.writeUInt8(0)
        }
    }

    @Test func aWellFormedInviteDecodes() throws {
        guard case .call(.invite(let invite)) = try invite(oneAudio(), candidates: 8) else {
            Issue.record("not an invite")
            return
        }
        #expect(invite.description.candidates.count == 8)
        #expect(invite.description.offer(.audio)?.ssrc == 42)
    }

    @Test func numbersOutsideTheirRangesAreRefused() {
        let cases: [(String, () throws -> WireMessage)] = [
            ("callInvite.ringTimeout", { try self.invite(ringTimeout: 0, self.oneAudio()) }),
            ("callInvite.ringTimeout", { try self.invite(ringTimeout: 601, self.oneAudio()) }),
            ("callInvite.media[].payloadType", { try self.invite(self.oneAudio(payloadType: 0)) }),
            ("callInvite.media[].payloadType", { try self.invite(self.oneAudio(payloadType: 128)) }),
            ("callInvite.media[].clockRate", { try self.invite(self.oneAudio(clockRate: 1)) }),
            ("callInvite.media[].clockRate", { try self.invite(self.oneAudio(clockRate: .max)) }),
            ("callInvite.media[].bitrate", { try self.invite(self.oneAudio(bitrate: .max)) }),
            ("callInvite.media[].width", { try self.invite(self.oneAudio(width: 65535)) }),
        ]
        for (field, build) in cases {
            #expect(throws: WireError.self, "\(field)") { _ = try build() }
            do {
                _ = try build()
            } catch let error as WireError {
                guard case .outOfRange(let named, _, _) = error else {
                    Issue.record("\(field): \(error)")
                    continue
                }
                #expect(named == field)
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func badKindsDirectionsListsAndKeysAreRefused() {
        #expect(throws: WireError.self) { _ = try self.invite(self.oneAudio(kind: 3)) }
        #expect(throws: WireError.self) { _ = try self.invite(self.oneAudio(direction: 4)) }
        #expect(throws: WireError.self) { _ = try self.invite({ $0.writeUInt16(0) }) }   // no media
        #expect(throws: WireError.self) { _ = try self.invite(self.oneAudio(), candidates: 9) }
        #expect(throws: WireError.self) { _ = try self.invite(self.oneAudio(), keyLength: 16) }
        #expect(throws: WireError.self) { _ = try self.invite(self.oneAudio(), keyLength: 31) }
        // Two entries of the same kind.
        #expect(throws: WireError.self) {
            _ = try self.invite({ writer in
                writer.writeUInt16(2)
                for _ in 0 ..< 2 {
                    writer.writeUInt8(1); writer.writeUInt8(3); writer.writeUInt8(111); writer.writeUInt32(48000)
                    writer.writeUInt32(1); writer.writeUInt32(32000); writer.writeUInt16(0); writer.writeUInt16(0); writer.writeUInt8(0)
                }
            })
        }
        #expect(throws: WireError.self) {
            _ = try self.decode(.callReject) { $0.writeUUID(Self.id); $0.writeUInt8(9); $0.writeString("") }
        }
        #expect(throws: WireError.self) {
            _ = try self.decode(.callMediaState) { $0.writeUUID(Self.id); $0.writeUInt8(1); $0.writeUInt8(3); $0.writeBool(true) }
        }
        #expect(throws: WireError.self) {
            _ = try self.decode(.datagram) { $0.writeUUID(Self.id); $0.writeBytes([UInt8](repeating: 0, count: 2049)) }
        }
        #expect(throws: WireError.self) {
            _ = try self.decode(.callRinging) { $0.writeRaw([1, 2, 3]) }
        }
    }

    @Test("CALL_RELAY: a relay inside a relay, another call's frame, a non-call type, a bad peer or direction are refused")
    func relayIsChecked() throws {
        func relay(direction: UInt8 = 1, peer: String = Self.member, type: UInt16 = 0x0202,
                   payload: (inout ByteWriter) -> Void = { $0.writeUUID(CallFrameTests.id) }) throws -> WireMessage {
            try decode(.callRelay) { writer in
                writer.writeUUID(Self.id)
                writer.writeUInt8(direction)
                writer.writeString(peer)
                writer.writeString("")
                writer.writeUInt16(type)
                var inner = ByteWriter()
                payload(&inner)
                writer.writeBytes(inner.bytes)
            }
        }
        guard case .call(.relay(let good)) = try relay() else { Issue.record("not a relay"); return }
        #expect(good.frame == .ringing(Self.id))
        #expect(throws: WireError.self, "direction 3") { try relay(direction: 3) }
        #expect(throws: WireError.self, "a bad peer") { try relay(peer: "bob") }
        #expect(throws: WireError.self, "a chat message inside") { try relay(type: 0x0010) }
        #expect(throws: WireError.self, "another call's frame") { try relay(payload: { $0.writeUUID(UUID()) }) }
        #expect(throws: WireError.self, "trailing bytes inside (they could not be relayed on)") {
            try relay(payload: { $0.writeUUID(CallFrameTests.id); $0.writeUInt8(0) })
        }
        #expect(throws: WireError.self, "a broadcast announcement inside") {
            try relay(type: 0x020A, payload: { $0.writeUUID(CallFrameTests.id); $0.writeUInt8(1) })
        }
        #expect(throws: WireError.self, "a relay inside") {
            try relay(type: 0x0209, payload: { writer in
                let inner = WireMessage.call(.relay(CallRelay(callID: Self.id, direction: .forwardTo, peer: Self.member,
                                                              frame: .ringing(Self.id)))).frame()
                writer.writeRaw(inner.payload)
            })
        }
        let nested = CallFrame.relay(CallRelay(callID: Self.id, direction: .forwardTo, peer: Self.member,
                                               frame: .relay(CallRelay(callID: Self.id, direction: .forwardTo, peer: Self.member, frame: .ringing(Self.id)))))
        #expect(throws: WireError.self, "a sender is held to the same rule") { try WireMessage.call(nested).validate() }
    }

    /// An invitation with its group part appended to a well-formed one.
    private func groupInvite(_ group: (inout ByteWriter) -> Void) throws -> WireMessage {
        try decode(.callInvite) { writer in
            writer.writeUUID(Self.id)
            writer.writeUInt16(30)
            oneAudio()(&writer)
            writer.writeUInt16(0)
            writer.writeBytes([UInt8](repeating: 7, count: 30))
            group(&writer)
        }
    }

    @Test("A group invitation: members are checked contact IDs, at most 4, none twice; flags 0, 1 or 2 (watching, without members)")
    func groupPartIsChecked() throws {
        guard case .call(.invite(let plain)) = try groupInvite({ _ in }) else { Issue.record("not an invite"); return }
        #expect(plain.group == nil, "no trailing part: a call between two")
        guard case .call(.invite(let joining)) = try groupInvite({ writer in
            writer.writeUInt8(1)
            writer.writeList([Self.member]) { $0.writeString($1) }
        }) else { Issue.record("not an invite"); return }
        #expect(joining.group == CallInviteGroup(joining: true, members: [Self.member]))
        guard case .call(.invite(let watching)) = try groupInvite({ writer in
            writer.writeUInt8(2)
            writer.writeUInt16(0)
        }) else { Issue.record("not an invite"); return }
        #expect(watching.group == CallInviteGroup(joining: false, members: [], watching: true))
        #expect(throws: WireError.self, "a sender is held to the same rule") {
            try WireMessage.call(.invite(CallInvite(callID: Self.id, ringTimeoutSeconds: 30, description: Self.description(),
                                                    group: CallInviteGroup(joining: true, members: [], watching: true)))).validate()
        }
        let wrong: [(String, (inout ByteWriter) -> Void)] = [
            ("flags 3 (joining and watching)", { $0.writeUInt8(3); $0.writeUInt16(0) }),
            ("flags 4", { $0.writeUInt8(4); $0.writeUInt16(0) }),
            ("watching with members", { $0.writeUInt8(2); $0.writeList([Self.member]) { $0.writeString($1) } }),
            ("five members", { writer in
                writer.writeUInt8(0)
                writer.writeList((0 ..< 5).map { String(Self.member.dropLast()) + "\($0)" }) { $0.writeString($1) }
            }),
            ("a short ID", { $0.writeUInt8(0); $0.writeList(["0123"]) { $0.writeString($1) } }),
            ("a lower-case ID", { $0.writeUInt8(0); $0.writeList([Self.member.lowercased()]) { $0.writeString($1) } }),
            ("an I in the ID", { $0.writeUInt8(0); $0.writeList(["I" + Self.member.dropFirst()]) { $0.writeString($1) } }),
            ("the same member twice", { $0.writeUInt8(0); $0.writeList([Self.member, Self.member]) { $0.writeString($1) } }),
            ("flags without members", { $0.writeUInt8(0) }),
        ]
        for (what, group) in wrong {
            #expect(throws: WireError.self, "\(what)") { try groupInvite(group) }
        }
    }
}

extension CallFrameTests {
    @Test("CALL_BROADCAST: flags 0–3 (live, video); anything above is refused")
    func broadcastIsChecked() throws {
        guard case .call(.broadcast(let id, let live, let video)) = try decode(.callBroadcast, { $0.writeUUID(Self.id); $0.writeUInt8(3) }) else {
            Issue.record("not a broadcast")
            return
        }
        #expect(id == Self.id && live && video)
        #expect(throws: WireError.self, "flags 4") { try decode(.callBroadcast) { $0.writeUUID(Self.id); $0.writeUInt8(4) } }
        #expect(throws: WireError.self, "no flags") { try decode(.callBroadcast) { $0.writeUUID(Self.id) } }
    }
}

extension CallFrame: CustomTestStringConvertible {
    public var testDescription: String { "\(FrameType(WireMessage.call(self).type))" }
}
