/// One raw frame: a header's type, version and flags plus the payload bytes.
///
/// A `Frame` is not interpreted; turn it into a ``WireMessage`` with
/// ``WireMessage/init(frame:)``.
public struct Frame: Sendable, Equatable {
    /// Frame type; see ``FrameType``.
    public var type: UInt16
    /// Payload layout version (1 for every known type today).
    public var version: UInt8
    /// Reserved flags: sent as 0, ignored on receipt.
    public var flags: UInt8
    /// The payload bytes (header excluded).
    public var payload: [UInt8]

    /// Creates a frame. `version` defaults to 1 and `flags` to 0.
    public init(type: UInt16, version: UInt8 = WireProtocol.payloadVersion, flags: UInt8 = 0, payload: [UInt8]) {
        self.type = type
        self.version = version
        self.flags = flags
        self.payload = payload
    }

    /// The header describing this frame. Traps if the payload exceeds `UInt32.max` bytes.
    public var header: FrameHeader {
        precondition(payload.count <= Int(UInt32.max), "frame payload longer than UInt32.max")
        return FrameHeader(length: UInt32(payload.count), type: type, version: version, flags: flags)
    }

    /// The complete encoded frame: 8-byte header followed by the payload.
    ///
    /// Does not check ``WireLimits/maxPayloadLength``; frames built from a
    /// ``WireMessage`` within the limits always fit.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: FrameHeader.size + payload.count)
        header.encode(to: &writer)
        writer.writeRaw(payload)
        return writer.bytes
    }
}
