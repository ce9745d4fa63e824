/// What a datagram on an rtcp-mux port is (RFC 5761 §4).
public enum MultiplexedPacketKind: Equatable, Sendable {
    case rtp
    case rtcp

    /// Classifies by the second byte: with the marker bit masked off, 64...95 (RTCP packet
    /// types 192...223) is RTCP, anything else RTP. Nil when the datagram is too short for
    /// either or the version is not 2.
    public static func classify(_ datagram: [UInt8]) -> MultiplexedPacketKind? {
        guard datagram.count >= 4, datagram[0] >> 6 == 2 else { return nil }
        if (64 ... 95).contains(datagram[1] & 0x7F) { return .rtcp }
        return datagram.count >= RTPPacket.minimumSize ? .rtp : nil
    }
}
