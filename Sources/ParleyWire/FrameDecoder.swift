/// Splits a byte stream into frames.
///
/// Feed received bytes with ``append(_:)`` and call ``nextFrame()`` until it
/// returns `nil`. A header announcing more than `maxPayloadLength` bytes is
/// rejected as soon as its 8 bytes are available, before any of the payload
/// is buffered. After a thrown error the stream is unusable (the same error is
/// thrown again); the session should send `CLOSE(protocolError)` and close.
///
/// Consumed bytes are dropped lazily, so decoding is linear in the number of
/// bytes received however they are chunked.
public struct FrameDecoder: Sendable {
    /// Largest payload length accepted from a header.
    public let maxPayloadLength: Int

    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not consumed yet.
    private var start = 0

    /// Creates a decoder that accepts payloads of at most `maxPayloadLength` bytes.
    public init(maxPayloadLength: Int = WireLimits.maxPayloadLength) {
        self.maxPayloadLength = maxPayloadLength
    }

    /// Number of received bytes not yet returned as part of a frame.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds received bytes to the end of the stream.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete frame, or `nil` if more bytes are needed.
    ///
    /// Throws ``WireError/frameTooLarge(length:limit:)`` as soon as a header
    /// announces a payload over the limit.
    public mutating func nextFrame() throws(WireError) -> Frame? {
        guard bufferedByteCount >= FrameHeader.size else { return nil }
        let header = try FrameHeader(parsing: buffer[start ..< start + FrameHeader.size])
        guard UInt64(header.length) <= UInt64(max(0, maxPayloadLength)) else {
            throw .frameTooLarge(length: UInt64(header.length), limit: maxPayloadLength)
        }
        let payloadLength = Int(header.length)
        guard bufferedByteCount - FrameHeader.size >= payloadLength else { return nil }
        let payloadStart = start + FrameHeader.size
        let payload = Array(buffer[payloadStart ..< payloadStart + payloadLength])
        start = payloadStart + payloadLength
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return Frame(type: header.type, version: header.version, flags: header.flags, payload: payload)
    }

    /// Drops consumed bytes once they make up at least half the buffer, so
    /// each byte is moved at most a constant number of times on average.
    private mutating func compactIfWorthwhile() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4096, start * 2 >= buffer.count {
            buffer.removeSubrange(0 ..< start)
            start = 0
        }
    }
}
