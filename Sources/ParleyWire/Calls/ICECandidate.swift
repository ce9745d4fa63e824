/// One ICE candidate (RFC 5245 §15.1) of a call's single media component, as it travels in
/// CALL_CANDIDATES: where the sender may receive media, how it got that address, and its
/// priority for the connectivity checks.
public struct ICECandidate: Sendable, Equatable, CustomStringConvertible {
    /// How the address was found.
    public enum Kind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        /// An address of one of the sender's interfaces.
        case host = 0
        /// The sender's address as a STUN server (or TURN server) saw it: the NAT's outside.
        case serverReflexive = 1
        /// An address learnt from a connectivity check.
        case peerReflexive = 2
        /// An address on a TURN server that relays to the sender.
        case relayed = 3

        /// The SDP name (`typ` value): host, srflx, prflx, relay.
        public var description: String {
            switch self {
            case .host: "host"
            case .serverReflexive: "srflx"
            case .peerReflexive: "prflx"
            case .relayed: "relay"
            }
        }

        /// The kind named by an SDP `typ` value.
        public init?(sdpName: some StringProtocol) {
            guard let kind = Self.allCases.first(where: { $0.description == sdpName }) else { return nil }
            self = kind
        }
    }

    public var kind: Kind
    /// Groups candidates of the same kind from the same base (1–32 ice-chars).
    public var foundation: String
    public var priority: UInt32
    /// A numeric IPv4 or IPv6 address.
    public var host: String
    public var port: UInt16

    public init(kind: Kind, foundation: String, priority: UInt32, host: String, port: UInt16) {
        self.kind = kind
        self.foundation = foundation
        self.priority = priority
        self.host = host
        self.port = port
    }

    public var description: String {
        "\(kind) \(host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")"
    }

    public static let maxFoundationBytes = 32
    static let priorities: ClosedRange<UInt64> = 1 ... UInt64(UInt32.max)

    /// Whether a foundation is 1–32 ice-chars (ALPHA / DIGIT / "+" / "/").
    public static func isValidFoundation(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= maxFoundationBytes && text.unicodeScalars.allSatisfy(isICEChar)
    }

    /// ALPHA / DIGIT / "+" / "/" (RFC 5245 §15.1).
    static func isICEChar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a" ... "z", "A" ... "Z", "0" ... "9", "+", "/": true
        default: false
        }
    }

    /// Whether a host is a plain numeric IPv4 or IPv6 address text (digits, hex, dots and colons).
    public static func isNumericAddress(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= CallCandidate.maxHostBytes
            && text.unicodeScalars.allSatisfy { ("0" ... "9").contains($0) || ("a" ... "f").contains($0) || ("A" ... "F").contains($0) || $0 == "." || $0 == ":" }
            && (text.contains(".") || text.contains(":"))
    }

    init(from reader: inout ByteReader) throws(WireError) {
        let rawKind = try reader.readUInt8(field: "candidate.kind")
        guard let kind = Kind(rawValue: rawKind) else { throw .invalidValue(field: "candidate.kind", value: UInt64(rawKind)) }
        self.kind = kind
        foundation = try reader.readString(field: "candidate.foundation", maxBytes: Self.maxFoundationBytes)
        guard Self.isValidFoundation(foundation) else { throw .invalidValue(field: "candidate.foundation", value: UInt64(foundation.utf8.count)) }
        priority = try reader.readUInt32(field: "candidate.priority", allowed: Self.priorities)
        host = try reader.readString(field: "candidate.host", maxBytes: CallCandidate.maxHostBytes)
        guard Self.isNumericAddress(host) else { throw .invalidValue(field: "candidate.host", value: UInt64(host.utf8.count)) }
        port = try reader.readUInt16(field: "candidate.port", allowed: CallCandidate.ports)
    }

    func encode(to writer: inout ByteWriter) {
        writer.writeUInt8(kind.rawValue)
        writer.writeString(foundation)
        writer.writeUInt32(priority)
        writer.writeString(host)
        writer.writeUInt16(port)
    }

    func validate() throws(WireError) {
        guard Self.isValidFoundation(foundation) else { throw .invalidValue(field: "candidate.foundation", value: UInt64(foundation.utf8.count)) }
        try Limit.check(UInt64(priority), field: "candidate.priority", allowed: Self.priorities)
        guard Self.isNumericAddress(host) else { throw .invalidValue(field: "candidate.host", value: UInt64(host.utf8.count)) }
        try Limit.check(UInt64(port), field: "candidate.port", allowed: CallCandidate.ports)
    }
}
