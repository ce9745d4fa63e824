/// Opus over RTP (RFC 7587): one Opus packet per RTP packet, a 48 kHz timestamp whatever
/// the sampling rate, and the marker on the first packet of a talkspurt (after DTX).
public struct OpusPacketizer: Sendable {
    public static let clockRate = 48000
    public private(set) var sequencer: RTPSequencer
    /// The timestamp of the next packet.
    public private(set) var nextTimestamp: UInt32
    private var inTalkspurt = false

    public init(sequencer: RTPSequencer, firstTimestamp: UInt32) {
        self.sequencer = sequencer
        nextTimestamp = firstTimestamp
    }

    /// The RTP packet for one Opus packet covering `sampleCount` samples at 48 kHz.
    /// Pass nil for a frame DTX did not send: the timestamp advances, no packet is made.
    public mutating func packetize(opusPacket: [UInt8]?, sampleCount: Int = 960) -> RTPPacket? {
        defer { nextTimestamp &+= UInt32(truncatingIfNeeded: sampleCount) }
        guard let opusPacket, !opusPacket.isEmpty else {
            inTalkspurt = false
            return nil
        }
        let marker = !inTalkspurt
        inTalkspurt = true
        return RTPPacket(header: sequencer.nextHeader(timestamp: nextTimestamp, marker: marker), payload: opusPacket)
    }

    /// The Opus packet carried by an RTP packet, or nil for an empty payload (invalid per RFC 7587).
    public static func opusPacket(in packet: RTPPacket) -> [UInt8]? {
        packet.payload.isEmpty ? nil : packet.payload
    }
}
