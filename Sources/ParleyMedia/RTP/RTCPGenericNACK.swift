/// Generic NACK (RFC 4585 §6.2.1: transport-layer feedback, PT 205, FMT 1): the
/// receiver of `mediaSSRC` lost these RTP sequence numbers and asks for them again.
///
/// On the wire each entry is a packet ID and a 16-bit mask of the 16 sequence numbers
/// after it; `sequenceNumbers` is the expanded list, in the order the entries give it.
public struct RTCPGenericNACK: Equatable, Sendable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var sequenceNumbers: [UInt16]

    /// The most entries (PID + BLP) read from one packet; the rest is ignored. 64 entries
    /// name up to 1088 packets, more than any sender keeps.
    public static let maximumEntries = 64

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, sequenceNumbers: [UInt16]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.sequenceNumbers = sequenceNumbers
    }

    /// The entries for `sequenceNumbers`: each starts at a number not covered by the one
    /// before and masks the up to 16 that follow it.
    var entries: [(packetID: UInt16, bitmask: UInt16)] {
        var entries: [(packetID: UInt16, bitmask: UInt16)] = []
        for sequence in sequenceNumbers {
            if let last = entries.last {
                let distance = sequence &- last.packetID
                if distance == 0 { continue }
                if distance <= 16 {
                    entries[entries.count - 1].bitmask |= 1 << (distance - 1)
                    continue
                }
            }
            entries.append((sequence, 0))
        }
        return entries
    }

    /// Reads the body after the common header: two SSRCs, then at least one entry.
    static func parse(_ body: inout ByteReader) throws(RTPPacketError) -> RTCPGenericNACK {
        guard body.remaining >= 12, body.remaining % 4 == 0 else { throw .invalidLength(what: "RTCP NACK", length: body.remaining) }
        let sender = try body.readUInt32("RTCP NACK")
        let media = try body.readUInt32("RTCP NACK")
        var sequences: [UInt16] = []
        var entries = 0
        while body.remaining >= 4 {
            let packetID = try body.readUInt16("RTCP NACK")
            let bitmask = try body.readUInt16("RTCP NACK")
            entries += 1
            guard entries <= maximumEntries else { continue }
            sequences.append(packetID)
            for bit in 0 ..< 16 where bitmask & (1 << bit) != 0 { sequences.append(packetID &+ UInt16(bit + 1)) }
        }
        return RTCPGenericNACK(senderSSRC: sender, mediaSSRC: media, sequenceNumbers: sequences)
    }

    func write(to body: inout [UInt8]) {
        body.appendBigEndian(senderSSRC)
        body.appendBigEndian(mediaSSRC)
        for entry in entries {
            body.appendBigEndian(entry.packetID)
            body.appendBigEndian(entry.bitmask)
        }
    }
}
