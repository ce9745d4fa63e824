/// Stamps outgoing RTP headers of one stream: SSRC, payload type and consecutive
/// sequence numbers (wrapping at 2^16).
public struct RTPSequencer: Sendable {
    public let ssrc: UInt32
    public let payloadType: UInt8
    /// The sequence number the next header gets.
    public private(set) var nextSequenceNumber: UInt16

    public init(ssrc: UInt32, payloadType: UInt8, firstSequenceNumber: UInt16) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        nextSequenceNumber = firstSequenceNumber
    }

    /// The header for the next packet.
    public mutating func nextHeader(timestamp: UInt32, marker: Bool) -> RTPHeader {
        defer { nextSequenceNumber &+= 1 }
        return RTPHeader(marker: marker, payloadType: payloadType, sequenceNumber: nextSequenceNumber, timestamp: timestamp, ssrc: ssrc)
    }
}
