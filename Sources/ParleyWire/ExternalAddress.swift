/// EXTERNAL_ADDRESS (0x0030): where the sender can be dialled from outside its network
/// (its router's address and the port mapped to its listen port), so the receiver can
/// reach it there next time. Sent on an established contact link; see PROTOCOL.md 3.4.
///
/// The address travels as raw bytes (4 for IPv4, 16 for IPv6), never as text, so there
/// is nothing to parse; addresses no one can be dialled at (unspecified, loopback,
/// multicast, broadcast, IPv4-mapped) are malformed.
public struct ExternalAddress: WirePayload, CustomStringConvertible {
    /// How the sender learnt the address.
    public enum Source: UInt8, Sendable, CaseIterable {
        /// The router mapped the port at the sender's request (UPnP-IGD or NAT-PMP).
        case mapping = 1
        /// A STUN server saw the sender there.
        case stun = 2
    }

    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public var address: [UInt8]
    public var port: UInt16
    public var source: Source

    public init(address: [UInt8], port: UInt16, source: Source) {
        self.address = address
        self.port = port
        self.source = source
    }

    static let families: [UInt8: Int] = [4: 4, 6: 16]
    static let ports: ClosedRange<UInt64> = 1 ... 65535

    public init(from reader: inout ByteReader) throws(WireError) {
        let family = try reader.readUInt8(field: "externalAddress.family")
        guard let length = Self.families[family] else {
            throw .invalidValue(field: "externalAddress.family", value: UInt64(family))
        }
        address = try reader.readRaw(count: length, field: "externalAddress.address")
        port = try reader.readUInt16(field: "externalAddress.port", allowed: Self.ports)
        let rawSource = try reader.readUInt8(field: "externalAddress.source")
        guard let source = Source(rawValue: rawSource) else {
            throw .invalidValue(field: "externalAddress.source", value: UInt64(rawSource))
        }
        self.source = source
        guard Self.isDialable(address) else {
            throw .invalidValue(field: "externalAddress.address", value: UInt64(address[0]))
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt8(address.count == 16 ? 6 : 4)
        writer.writeRaw(address)
        writer.writeUInt16(port)
        writer.writeUInt8(source.rawValue)
    }

    public func validate() throws(WireError) {
        guard address.count == 4 || address.count == 16 else {
            throw .invalidCount(field: "externalAddress.address", count: address.count, allowed: 4 ... 16)
        }
        try Limit.check(UInt64(port), field: "externalAddress.port", allowed: Self.ports)
        guard Self.isDialable(address) else {
            throw .invalidValue(field: "externalAddress.address", value: UInt64(address[0]))
        }
    }

    /// Whether a peer could dial `address`: not unspecified, loopback, multicast or broadcast
    /// (IPv4 0/8, 127/8, 224/4 and 240/4; IPv6 ::, ::1, ff00::/8 and IPv4-mapped ::ffff:0:0/96).
    public static func isDialable(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4:
            return address[0] != 0 && address[0] != 127 && address[0] < 224
        case 16:
            let unspecifiedOrLoopback = address[0 ..< 15].allSatisfy { $0 == 0 } && address[15] <= 1
            let mapped = address[0 ..< 10].allSatisfy { $0 == 0 } && address[10] == 0xFF && address[11] == 0xFF
            return !unspecifiedOrLoopback && !mapped && address[0] != 0xFF
        default:
            return false
        }
    }

    /// The address as text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`).
    public var host: String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        guard address.count == 16 else { return "" }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]) }
        // The longest run of at least two zero groups (the first of equal ones) becomes "::".
        var best: Range<Int>?
        var start: Int?
        for index in 0 ... 8 {
            if index < 8, groups[index] == 0 {
                if start == nil { start = index }
            } else if let begun = start {
                if index - begun >= 2, index - begun > (best?.count ?? 0) { best = begun ..< index }
                start = nil
            }
        }
        let hex = { (range: Range<Int>) in groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard let best else { return hex(0 ..< 8) }
        return hex(0 ..< best.lowerBound) + "::" + hex(best.upperBound ..< 8)
    }

    /// `host:port`, IPv6 in brackets.
    public var description: String { address.count == 16 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
