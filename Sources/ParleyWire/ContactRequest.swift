/// The CONTACT_REQUEST payload (type 0x0020): an unknown peer asks to become a contact.
public struct ContactRequest: WirePayload {
    /// The requester's display name (at most ``WireLimits/maxDisplayNameBytes`` UTF-8 bytes).
    public var displayName: String
    /// Free text shown to the receiving user (at most ``WireLimits/maxContactNoteBytes`` UTF-8 bytes).
    public var note: String
    /// TCP port the requester listens on, or 0 if it is not listening.
    public var listenPort: UInt16

    /// Creates a contact request. Does not check lengths; see ``validate()``.
    public init(displayName: String, note: String, listenPort: UInt16) {
        self.displayName = displayName
        self.note = note
        self.listenPort = listenPort
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        displayName = try reader.readString(
            field: "contactRequest.displayName", maxBytes: WireLimits.maxDisplayNameBytes)
        note = try reader.readString(field: "contactRequest.note", maxBytes: WireLimits.maxContactNoteBytes)
        listenPort = try reader.readUInt16(field: "contactRequest.listenPort")
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeString(displayName)
        writer.writeString(note)
        writer.writeUInt16(listenPort)
    }

    public func validate() throws(WireError) {
        try Limit.check(displayName, field: "contactRequest.displayName", maxBytes: WireLimits.maxDisplayNameBytes)
        try Limit.check(note, field: "contactRequest.note", maxBytes: WireLimits.maxContactNoteBytes)
    }
}
