/// Splits encoded VP8 frames into RTP packets (RFC 7741): a descriptor with a 15-bit
/// PictureID on every packet, S = 1 on the first packet of a frame, the marker on the
/// last, and packets no larger than `maximumPacketSize` bytes (RTP header included).
public struct VP8Packetizer: Sendable {
    /// The largest RTP packet produced (default 1200 bytes).
    public let maximumPacketSize: Int
    public private(set) var sequencer: RTPSequencer
    /// The PictureID the next frame gets (15 bits, wrapping).
    public private(set) var nextPictureID: UInt16

    public init(sequencer: RTPSequencer, maximumPacketSize: Int = 1200, firstPictureID: UInt16 = 0) {
        precondition(maximumPacketSize >= 12 + 4 + 1, "a VP8 RTP packet needs room for the header, descriptor and data")
        self.sequencer = sequencer
        self.maximumPacketSize = maximumPacketSize
        nextPictureID = firstPictureID & 0x7FFF
    }

    /// The RTP packets of one encoded frame with the given 90 kHz timestamp.
    public mutating func packetize(frame: [UInt8], timestamp: UInt32, isNonReference: Bool = false) -> [RTPPacket] {
        guard !frame.isEmpty else { return [] }
        let pictureID = nextPictureID
        nextPictureID = (nextPictureID + 1) & 0x7FFF
        let descriptorSize = 4
        let room = maximumPacketSize - 12 - descriptorSize
        let count = (frame.count + room - 1) / room
        // Even sizes: no tiny last packet.
        let base = frame.count / count
        let larger = frame.count % count
        var packets: [RTPPacket] = []
        packets.reserveCapacity(count)
        var offset = 0
        for index in 0 ..< count {
            let size = base + (index < larger ? 1 : 0)
            let descriptor = VP8PayloadDescriptor(
                isNonReference: isNonReference, isStartOfPartition: index == 0, partitionIndex: 0, pictureID: .long(pictureID))
            let header = sequencer.nextHeader(timestamp: timestamp, marker: index == count - 1)
            packets.append(RTPPacket(header: header, payload: descriptor.serialized() + frame[offset ..< offset + size]))
            offset += size
        }
        return packets
    }
}
