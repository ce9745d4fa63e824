#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// CALL_RELAY's body: a call frame between two participants of a group call that have no
/// link of their own (not contacts of each other, or unable to connect), carried through a
/// participant linked to both. The sender asks its neighbour to forward the frame
/// (`forwardTo` the destination); the neighbour hands it on (`forwardedFrom` the origin,
/// with the origin's name as the neighbour knows it). The frame inside is a call frame of
/// the same call, never another relay nor a broadcast announcement.
public struct CallRelay: Sendable, Equatable {
    public enum Direction: UInt8, Sendable, CaseIterable {
        /// To the participant in `peer`, please.
        case forwardTo = 1
        /// From the participant in `peer`.
        case forwardedFrom = 2
    }

    public var callID: UUID
    public var direction: Direction
    /// The other end's contact ID (canonical, 36 symbols).
    public var peer: String
    /// The origin's display name as the forwarding participant knows it (empty when asking).
    public var name: String
    public var frame: CallFrame

    public init(callID: UUID, direction: Direction, peer: String, name: String = "", frame: CallFrame) {
        self.callID = callID
        self.direction = direction
        self.peer = peer
        self.name = name
        self.frame = frame
    }

    init(from reader: inout ByteReader) throws(WireError) {
        callID = try reader.readUUID(field: "callRelay.callID")
        let rawDirection = try reader.readUInt8(field: "callRelay.direction")
        guard let direction = Direction(rawValue: rawDirection) else {
            throw .invalidValue(field: "callRelay.direction", value: UInt64(rawDirection))
        }
        self.direction = direction
        peer = try reader.readString(field: "callRelay.peer", maxBytes: CallInviteGroup.memberIDLength)
        try CallInviteGroup.checkIDs([peer])
        name = try reader.readString(field: "callRelay.name", maxBytes: WireLimits.maxDisplayNameBytes)
        let rawType = try reader.readUInt16(field: "callRelay.type")
        let type = FrameType(rawType)
        guard type != .callRelay, type != .callBroadcast, type == .datagram || FrameType.callSignallingRange.contains(rawType) else {
            throw .invalidValue(field: "callRelay.type", value: UInt64(rawType))
        }
        let payload = try reader.readBytes(field: "callRelay.payload", maxLength: Self.maxPayloadBytes)
        var inner = ByteReader(payload)
        guard let frame = try CallFrame(type: type, reader: &inner) else {
            throw .invalidValue(field: "callRelay.type", value: UInt64(rawType))
        }
        // The frame inside is exactly its payload: what it would ignore could not be relayed on.
        guard inner.isAtEnd else { throw .invalidCount(field: "callRelay.frame (trailing bytes)", count: inner.remainingCount, allowed: 0 ... 0) }
        guard frame.callID == callID else { throw .invalidValue(field: "callRelay.frame.callID", value: 0) }
        self.frame = frame
    }

    /// The largest frame carried (a CALL_CANDIDATES or an invitation fits; so does a datagram).
    public static let maxPayloadBytes = 16384

    func encode(to writer: inout ByteWriter) {
        writer.writeUUID(callID)
        writer.writeUInt8(direction.rawValue)
        writer.writeString(peer)
        writer.writeString(name)
        writer.writeUInt16(frame.type.rawValue)
        var inner = ByteWriter()
        frame.encode(to: &inner)
        writer.writeBytes(inner.bytes)
    }

    func validate() throws(WireError) {
        try CallInviteGroup.checkIDs([peer])
        try Limit.check(name, field: "callRelay.name", maxBytes: WireLimits.maxDisplayNameBytes)
        if case .relay = frame { throw .invalidValue(field: "callRelay.type", value: UInt64(FrameType.callRelay.rawValue)) }
        if case .broadcast = frame { throw .invalidValue(field: "callRelay.type", value: UInt64(FrameType.callBroadcast.rawValue)) }
        guard frame.callID == callID else { throw .invalidValue(field: "callRelay.frame.callID", value: 0) }
        try frame.validate()
        var inner = ByteWriter()
        frame.encode(to: &inner)
        try Limit.check(count: inner.bytes.count, field: "callRelay.payload", allowed: 0 ... Self.maxPayloadBytes)
    }
}
