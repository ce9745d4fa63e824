#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RTCPPacket {
    public static let sourceDescriptionType: UInt8 = 202
    public static let goodbyeType: UInt8 = 203

    /// SDES with one chunk carrying the CNAME (RFC 3550 §6.5), which every compound
    /// packet must include.
    public static func sourceDescription(ssrc: UInt32, canonicalName: String) -> RTCPPacket {
        var body: [UInt8] = []
        body.appendBigEndian(ssrc)
        let name = Array(canonicalName.utf8.prefix(255))
        body += [1, UInt8(name.count)] + name + [0]   // CNAME item, then the end of the item list
        body += repeatElement(0, count: (4 - body.count % 4) % 4)
        return .other(packetType: sourceDescriptionType, count: 1, body: body)
    }

    /// BYE for one source (RFC 3550 §6.6): the stream has ended.
    public static func goodbye(ssrc: UInt32) -> RTCPPacket {
        var body: [UInt8] = []
        body.appendBigEndian(ssrc)
        return .other(packetType: goodbyeType, count: 1, body: body)
    }

    /// Whether this is a BYE naming `ssrc`.
    public func isGoodbye(from ssrc: UInt32) -> Bool {
        guard case let .other(type, count, body) = self, type == Self.goodbyeType else { return false }
        for index in 0 ..< min(Int(count), body.count / 4) {
            let start = index * 4
            let named = UInt32(body[start]) << 24 | UInt32(body[start + 1]) << 16 | UInt32(body[start + 2]) << 8 | UInt32(body[start + 3])
            if named == ssrc { return true }
        }
        return false
    }
}

extension NTPTimestamp {
    /// The wall clock now (CLOCK_REALTIME), for sender reports.
    public static func now() -> NTPTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let seconds = UInt64(time.tv_sec) + 2_208_988_800   // 1900 → 1970
        let fraction = UInt64(time.tv_nsec) << 32 / 1_000_000_000
        return NTPTimestamp(seconds: UInt32(truncatingIfNeeded: seconds), fraction: UInt32(truncatingIfNeeded: fraction))
    }
}
