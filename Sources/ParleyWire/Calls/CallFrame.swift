#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The call-signalling frames (types 0x0201–0x0208), all keyed by the call ID, and the
/// DATAGRAM frame (0x0300) that carries a call's media through the link when UDP cannot.
public enum CallFrame: Sendable, Equatable {
    /// CALL_INVITE (0x0201), caller → callee.
    case invite(CallInvite)
    /// CALL_RINGING (0x0202), callee → caller: the invitation is shown to the user.
    case ringing(UUID)
    /// CALL_ACCEPT (0x0203), callee → caller: the callee's side of the media.
    case accept(UUID, CallDescription)
    /// CALL_REJECT (0x0204), callee → caller.
    case reject(UUID, reason: CallRejectReason, detail: String)
    /// CALL_CANCEL (0x0205), caller → callee: the caller gave up while it rang.
    case cancel(UUID)
    /// CALL_HANGUP (0x0206), either way: the call is over for the sender.
    case hangup(UUID, reason: CallHangupReason, detail: String)
    /// CALL_MEDIA_STATE (0x0207), either way: the sender stopped or resumed sending a kind
    /// (`scope` = `.mySending`), or asks the peer to stop or resume sending it one (`.yourSending`).
    case mediaState(UUID, kind: CallMediaOffer.Kind, scope: CallMediaScope, on: Bool)
    /// CALL_CANDIDATES (0x0208), either way: the sender's ICE credentials and candidates.
    case candidates(UUID, CallCandidates)
    /// CALL_RELAY (0x0209): a call frame between two participants of a group call that have
    /// no link of their own, carried by a participant linked to both.
    indirect case relay(CallRelay)
    /// CALL_BROADCAST (0x020A), broadcaster → each contact it names: a live broadcast the
    /// receiver may watch (an invitation with the `watching` flag and the broadcast's ID),
    /// or (`live` false) its end.
    case broadcast(UUID, live: Bool, video: Bool)
    /// DATAGRAM (0x0300), either way: one SRTP/SRTCP datagram of the call's media.
    case datagram(UUID, [UInt8])

    /// The call this frame belongs to.
    public var callID: UUID {
        switch self {
        case .invite(let invite): invite.callID
        case .ringing(let id), .accept(let id, _), .reject(let id, _, _), .cancel(let id), .hangup(let id, _, _), .candidates(let id, _),
             .mediaState(let id, _, _, _), .datagram(let id, _):
            id
        case .relay(let relay): relay.callID
        case .broadcast(let id, _, _): id
        }
    }

    /// The largest datagram a DATAGRAM frame carries (an MTU-sized SRTP packet and headroom).
    public static let maxDatagramBytes = 2048

    var type: FrameType {
        switch self {
        case .invite: .callInvite
        case .ringing: .callRinging
        case .accept: .callAccept
        case .reject: .callReject
        case .cancel: .callCancel
        case .hangup: .callHangup
        case .mediaState: .callMediaState
        case .candidates: .callCandidates
        case .datagram: .datagram
        case .relay: .callRelay
        case .broadcast: .callBroadcast
        }
    }

    init?(type: FrameType, reader: inout ByteReader) throws(WireError) {
        func id() throws(WireError) -> UUID { try reader.readUUID(field: "\(type).callID") }
        func detail() throws(WireError) -> String {
            try reader.readString(field: "\(type).detail", maxBytes: WireLimits.maxCloseReasonBytes)
        }
        switch type {
        case .callInvite: self = .invite(try CallInvite(from: &reader))
        case .callRinging: self = .ringing(try id())
        case .callAccept: self = .accept(try id(), try CallDescription(from: &reader, field: "callAccept"))
        case .callReject:
            let call = try id()
            let raw = try reader.readUInt8(field: "callReject.reason")
            guard let reason = CallRejectReason(rawValue: raw) else {
                throw .invalidValue(field: "callReject.reason", value: UInt64(raw))
            }
            self = .reject(call, reason: reason, detail: try detail())
        case .callCancel: self = .cancel(try id())
        case .callHangup:
            let call = try id()
            let raw = try reader.readUInt8(field: "callHangup.reason")
            guard let reason = CallHangupReason(rawValue: raw) else {
                throw .invalidValue(field: "callHangup.reason", value: UInt64(raw))
            }
            self = .hangup(call, reason: reason, detail: try detail())
        case .callMediaState:
            let call = try id()
            let rawKind = try reader.readUInt8(field: "callMediaState.kind")
            guard let kind = CallMediaOffer.Kind(rawValue: rawKind) else {
                throw .invalidValue(field: "callMediaState.kind", value: UInt64(rawKind))
            }
            let rawScope = try reader.readUInt8(field: "callMediaState.scope")
            guard let scope = CallMediaScope(rawValue: rawScope) else {
                throw .invalidValue(field: "callMediaState.scope", value: UInt64(rawScope))
            }
            self = .mediaState(call, kind: kind, scope: scope, on: try reader.readBool(field: "callMediaState.on"))
        case .callCandidates: self = .candidates(try id(), try CallCandidates(from: &reader))
        case .callRelay: self = .relay(try CallRelay(from: &reader))
        case .callBroadcast:
            let call = try id()
            let flags = try reader.readUInt8(field: "callBroadcast.flags", allowed: 0 ... 3)
            self = .broadcast(call, live: flags & 1 != 0, video: flags & 2 != 0)
        case .datagram:
            let call = try id()
            self = .datagram(call, try reader.readBytes(field: "datagram.bytes", maxLength: Self.maxDatagramBytes))
        default: return nil
        }
    }

    func encode(to writer: inout ByteWriter) {
        switch self {
        case .invite(let invite): invite.encode(to: &writer)
        case .ringing(let id), .cancel(let id):
            writer.writeUUID(id)
        case .accept(let id, let description):
            writer.writeUUID(id)
            description.encode(to: &writer)
        case .reject(let id, let reason, let detail):
            writer.writeUUID(id)
            writer.writeUInt8(reason.rawValue)
            writer.writeString(detail)
        case .hangup(let id, let reason, let detail):
            writer.writeUUID(id)
            writer.writeUInt8(reason.rawValue)
            writer.writeString(detail)
        case .mediaState(let id, let kind, let scope, let on):
            writer.writeUUID(id)
            writer.writeUInt8(kind.rawValue)
            writer.writeUInt8(scope.rawValue)
            writer.writeBool(on)
        case .candidates(let id, let body):
            writer.writeUUID(id)
            body.encode(to: &writer)
        case .datagram(let id, let bytes):
            writer.writeUUID(id)
            writer.writeBytes(bytes)
        case .relay(let relay):
            relay.encode(to: &writer)
        case .broadcast(let id, let live, let video):
            writer.writeUUID(id)
            writer.writeUInt8((live ? 1 : 0) | (video ? 2 : 0))
        }
    }

    func validate() throws(WireError) {
        switch self {
        case .invite(let invite): try invite.validate()
        case .accept(_, let description): try description.validate(field: "callAccept")
        case .candidates(_, let body): try body.validate()
        case .reject(_, _, let detail), .hangup(_, _, let detail):
            try Limit.check(detail, field: "\(type).detail", maxBytes: WireLimits.maxCloseReasonBytes)
        case .datagram(_, let bytes):
            try Limit.check(count: bytes.count, field: "datagram.bytes", allowed: 0 ... Self.maxDatagramBytes)
        case .relay(let relay): try relay.validate()
        case .ringing, .cancel, .mediaState, .broadcast:
            break
        }
    }
}

/// CALL_INVITE's body.
public struct CallInvite: Sendable, Equatable {
    public var callID: UUID
    /// How long the callee's side rings before it gives up on its own (seconds).
    public var ringTimeoutSeconds: UInt16
    /// The caller's side of the media.
    public var description: CallDescription
    /// For a group call: the other participants, and whether this invitation is a leg of a
    /// call the receiver already takes part in. Absent (nil) for a call between two.
    public var group: CallInviteGroup?

    public init(callID: UUID, ringTimeoutSeconds: UInt16, description: CallDescription, group: CallInviteGroup? = nil) {
        self.callID = callID
        self.ringTimeoutSeconds = ringTimeoutSeconds
        self.description = description
        self.group = group
    }

    public static let ringTimeouts: ClosedRange<UInt64> = 1 ... 600

    init(from reader: inout ByteReader) throws(WireError) {
        callID = try reader.readUUID(field: "callInvite.callID")
        ringTimeoutSeconds = try reader.readUInt16(field: "callInvite.ringTimeout", allowed: Self.ringTimeouts)
        description = try CallDescription(from: &reader, field: "callInvite")
        group = reader.isAtEnd ? nil : try CallInviteGroup(from: &reader)
    }

    func encode(to writer: inout ByteWriter) {
        writer.writeUUID(callID)
        writer.writeUInt16(ringTimeoutSeconds)
        description.encode(to: &writer)
        group?.encode(to: &writer)
    }

    func validate() throws(WireError) {
        try Limit.check(UInt64(ringTimeoutSeconds), field: "callInvite.ringTimeout", allowed: Self.ringTimeouts)
        try description.validate(field: "callInvite")
        try group?.validate()
    }
}

/// The group part of a CALL_INVITE, appended after the description: a version-1 reader
/// ignores it (and sees a call between two).
public struct CallInviteGroup: Sendable, Equatable {
    /// This invitation connects two participants of a call both already take part in (or
    /// were invited to): it is answered without ringing, and only within that call.
    public var joining: Bool
    /// A viewer asks to watch the broadcast whose ID is the call ID: answered without
    /// ringing by a broadcaster that named the viewer; the viewer only receives. Never
    /// together with `joining`; `members` is then empty.
    public var watching: Bool
    /// The contact IDs (canonical: 36 Crockford base-32 symbols) of the call's other
    /// participants, the receiver and the sender left out.
    public var members: [String]

    public init(joining: Bool, members: [String], watching: Bool = false) {
        self.joining = joining
        self.members = members
        self.watching = watching
    }

    /// A group call has at most 6 participants: besides the sender and the receiver, 4.
    public static let memberCount = 0 ... 4
    public static let memberIDLength = 36
    private static let symbols = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    init(from reader: inout ByteReader) throws(WireError) {
        // Bit 0: joining; bit 1: watching; never both.
        let flags = try reader.readUInt8(field: "callInvite.group.flags", allowed: 0 ... 2)
        joining = flags & 1 != 0
        watching = flags & 2 != 0
        members = try reader.readList(field: "callInvite.group.members", allowedCount: Self.memberCount) { (reader: inout ByteReader) throws(WireError) in
            try reader.readString(field: "callInvite.group.members[]", maxBytes: Self.memberIDLength)
        }
        try Self.checkIDs(members)
        if watching, !members.isEmpty { throw .invalidCount(field: "callInvite.group.members (watching)", count: members.count, allowed: 0 ... 0) }
    }

    func encode(to writer: inout ByteWriter) {
        writer.writeUInt8((joining ? 1 : 0) | (watching ? 2 : 0))
        writer.writeList(members) { $0.writeString($1) }
    }

    func validate() throws(WireError) {
        try Limit.check(count: members.count, field: "callInvite.group.members", allowed: Self.memberCount)
        try Self.checkIDs(members)
        if watching, joining { throw .invalidValue(field: "callInvite.group.flags", value: 3) }
        if watching, !members.isEmpty { throw .invalidCount(field: "callInvite.group.members (watching)", count: members.count, allowed: 0 ... 0) }
    }

    static func checkIDs(_ members: [String]) throws(WireError) {
        for member in members where member.utf8.count != memberIDLength || !member.utf8.allSatisfy(symbols.contains) {
            throw .invalidValue(field: "callInvite.group.members[]", value: UInt64(member.utf8.count))
        }
        if Set(members).count != members.count {
            throw .invalidCount(field: "callInvite.group.members (repeated)", count: members.count, allowed: memberCount)
        }
    }
}

/// Why a callee refused a call.
public enum CallRejectReason: UInt8, Sendable, CaseIterable {
    /// The user said no.
    case declined = 1
    /// The callee is in another call.
    case busy = 2
    /// The callee cannot take calls now (no way to play or capture anything, shutting down).
    case unavailable = 3
}

/// Why a side hung up.
public enum CallHangupReason: UInt8, Sendable, CaseIterable {
    /// The user ended the call.
    case normal = 1
    /// Something failed on the sender's side (detail says what).
    case failed = 2
    /// The sender lost the media and the link for too long.
    case connectionLost = 3
}

/// Whose sending a CALL_MEDIA_STATE is about.
public enum CallMediaScope: UInt8, Sendable, CaseIterable {
    /// The frame's sender stopped or resumed sending the kind.
    case mySending = 1
    /// The frame's sender asks the receiver to stop or resume sending it the kind.
    case yourSending = 2
}
