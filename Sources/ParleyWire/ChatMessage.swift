#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The CHAT_MESSAGE payload (type 0x0010).
public struct ChatMessage: WirePayload {
    /// Sender-chosen unique ID; receivers deduplicate and acknowledge by it.
    public var id: UUID
    /// When the sender created the message, in milliseconds since the Unix epoch
    /// (within ``WireLimits/timestamps``).
    public var sentAt: UInt64
    /// Message text (at most ``WireLimits/maxChatBodyBytes`` UTF-8 bytes).
    public var body: String

    /// Creates a chat message. Does not check the body length; see ``validate()``.
    public init(id: UUID, sentAt: UInt64, body: String) {
        self.id = id
        self.sentAt = sentAt
        self.body = body
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        id = try reader.readUUID(field: "chat.id")
        sentAt = try reader.readTimestamp(field: "chat.sentAt")
        body = try reader.readString(field: "chat.body", maxBytes: WireLimits.maxChatBodyBytes)
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeUUID(id)
        writer.writeUInt64(sentAt)
        writer.writeString(body)
    }

    public func validate() throws(WireError) {
        try Limit.check(body, field: "chat.body", maxBytes: WireLimits.maxChatBodyBytes)
        try Limit.check(sentAt, field: "chat.sentAt", allowed: WireLimits.timestamps)
    }
}
