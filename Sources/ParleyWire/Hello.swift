/// The HELLO payload (type 0x0001): the first frame each side sends on a link.
public struct Hello: WirePayload {
    /// Highest protocol version the sender speaks.
    public var protocolVersion: UInt16
    /// Lowest protocol version the sender accepts.
    public var minProtocolVersion: UInt16
    /// The sender's display name (at most ``WireLimits/maxDisplayNameBytes`` UTF-8 bytes).
    public var displayName: String
    /// TCP port the sender listens on, or 0 if it is not listening.
    public var listenPort: UInt16
    /// Whether the *sender* has the receiver as a contact. If `false` the
    /// receiver may only send CONTACT_REQUEST on this link.
    public var peerIsContact: Bool
    /// Features the sender supports; see ``Capability``. Unknown strings are ignored.
    public var capabilities: [String]

    /// Creates a HELLO; versions default to this implementation's and capabilities to ``Capability/current``.
    public init(
        protocolVersion: UInt16 = WireProtocol.version,
        minProtocolVersion: UInt16 = WireProtocol.minimumVersion,
        displayName: String,
        listenPort: UInt16,
        peerIsContact: Bool,
        capabilities: [String] = Capability.current
    ) {
        self.protocolVersion = protocolVersion
        self.minProtocolVersion = minProtocolVersion
        self.displayName = displayName
        self.listenPort = listenPort
        self.peerIsContact = peerIsContact
        self.capabilities = capabilities
    }

    /// Well-known capability strings.
    public enum Capability {
        public static let chat = "chat"
        public static let receipts = "receipts"
        public static let typing = "typing"
        public static let contactRequest = "contact-request"
        public static let file = "file"
        public static let call = "call"
        public static let datagram = "datagram"
        /// Takes EXTERNAL_ADDRESS frames (where the sender can be dialled from outside).
        public static let externalAddress = "external-address"
        /// What this implementation advertises today.
        public static let current: [String] = [chat, receipts, typing, contactRequest, file, call, datagram,
                                               externalAddress]
    }

    /// The protocol version a link between `local` and `remote` uses, or `nil`
    /// if there is none (the session then sends `CLOSE(unsupportedVersion)`).
    ///
    /// The version is `min(local.protocolVersion, remote.protocolVersion)`; it
    /// fails if that is below either side's `minProtocolVersion`.
    public static func negotiatedProtocolVersion(local: Hello, remote: Hello) -> UInt16? {
        let version = min(local.protocolVersion, remote.protocolVersion)
        guard version >= local.minProtocolVersion, version >= remote.minProtocolVersion else { return nil }
        return version
    }

    private static let capabilityCount = 0 ... WireLimits.maxCapabilities

    public init(from reader: inout ByteReader) throws(WireError) {
        protocolVersion = try reader.readUInt16(field: "hello.protocolVersion")
        minProtocolVersion = try reader.readUInt16(field: "hello.minProtocolVersion")
        displayName = try reader.readString(field: "hello.displayName", maxBytes: WireLimits.maxDisplayNameBytes)
        listenPort = try reader.readUInt16(field: "hello.listenPort")
        peerIsContact = try reader.readBool(field: "hello.peerIsContact")
        capabilities = try reader.readList(field: "hello.capabilities", allowedCount: Self.capabilityCount) {
            (reader: inout ByteReader) throws(WireError) in
            try reader.readString(field: "hello.capabilities[]", maxBytes: WireLimits.maxCapabilityBytes)
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(protocolVersion)
        writer.writeUInt16(minProtocolVersion)
        writer.writeString(displayName)
        writer.writeUInt16(listenPort)
        writer.writeBool(peerIsContact)
        writer.writeList(capabilities) { $0.writeString($1) }
    }

    public func validate() throws(WireError) {
        try Limit.check(displayName, field: "hello.displayName", maxBytes: WireLimits.maxDisplayNameBytes)
        try Limit.check(count: capabilities.count, field: "hello.capabilities", allowed: Self.capabilityCount)
        for capability in capabilities {
            try Limit.check(capability, field: "hello.capabilities[]", maxBytes: WireLimits.maxCapabilityBytes)
        }
    }
}
