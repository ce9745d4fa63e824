/// An address where one side of a call receives its media datagrams (UDP).
public struct CallCandidate: Sendable, Equatable, CustomStringConvertible {
    /// A numeric IPv4 or IPv6 address (never a name to resolve).
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The longest host text (an IPv6 address with a zone fits).
    public static let maxHostBytes = 64
    static let ports: ClosedRange<UInt64> = 1 ... 65535

    init(from reader: inout ByteReader) throws(WireError) {
        host = try reader.readString(field: "candidate.host", maxBytes: Self.maxHostBytes)
        port = UInt16(try reader.readUInt16(field: "candidate.port", allowed: Self.ports))
    }

    func encode(to writer: inout ByteWriter) {
        writer.writeString(host)
        writer.writeUInt16(port)
    }

    func validate() throws(WireError) {
        try Limit.check(host, field: "candidate.host", maxBytes: Self.maxHostBytes)
        try Limit.check(UInt64(port), field: "candidate.port", allowed: Self.ports)
    }
}
