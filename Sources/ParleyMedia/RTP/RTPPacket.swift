/// An RTP header extension (RFC 3550 §5.3.1): a profile-defined 16-bit value and
/// data whose length is a multiple of 4 bytes.
public struct RTPHeaderExtension: Equatable, Sendable {
    public var profile: UInt16
    public var data: [UInt8]

    public init(profile: UInt16, data: [UInt8]) {
        self.profile = profile
        self.data = data
    }
}

/// The fixed RTP header (RFC 3550 §5.1) plus CSRCs and an optional extension.
/// The version is always 2; padding belongs to the packet, not the header.
public struct RTPHeader: Equatable, Sendable {
    public var marker: Bool
    /// 0...127.
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// At most 15 contributing sources.
    public var csrcs: [UInt32]
    public var headerExtension: RTPHeaderExtension?

    public init(
        marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
        csrcs: [UInt32] = [], headerExtension: RTPHeaderExtension? = nil
    ) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtension = headerExtension
    }

    /// Bytes the header takes on the wire.
    public var serializedSize: Int {
        12 + 4 * csrcs.count + (headerExtension.map { 4 + $0.data.count } ?? 0)
    }
}

/// An RTP packet: header, payload and the number of padding bytes (0 = no padding).
public struct RTPPacket: Equatable, Sendable {
    public static let version: UInt8 = 2
    public static let minimumSize = 12

    public var header: RTPHeader
    public var payload: [UInt8]
    /// Padding bytes at the end, the count byte included (0 or 1...255).
    public var paddingLength: Int

    public init(header: RTPHeader, payload: [UInt8], paddingLength: Int = 0) {
        self.header = header
        self.payload = payload
        self.paddingLength = paddingLength
    }

    /// Parses one RTP packet, validating every length; never traps on hostile input.
    public init(parsing bytes: [UInt8]) throws(RTPPacketError) {
        var reader = ByteReader(bytes)
        let first = try reader.readUInt8("RTP header")
        let version = first >> 6
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let hasPadding = first & 0x20 != 0
        let hasExtension = first & 0x10 != 0
        let csrcCount = Int(first & 0x0F)
        let second = try reader.readUInt8("RTP header")
        let sequenceNumber = try reader.readUInt16("RTP header")
        let timestamp = try reader.readUInt32("RTP header")
        let ssrc = try reader.readUInt32("RTP header")
        var csrcs: [UInt32] = []
        csrcs.reserveCapacity(csrcCount)
        for _ in 0 ..< csrcCount { csrcs.append(try reader.readUInt32("RTP CSRC list")) }
        var headerExtension: RTPHeaderExtension?
        if hasExtension {
            let profile = try reader.readUInt16("RTP header extension")
            let words = Int(try reader.readUInt16("RTP header extension"))
            headerExtension = RTPHeaderExtension(profile: profile, data: try reader.readBytes(words * 4, "RTP header extension"))
        }
        var paddingLength = 0
        if hasPadding {
            guard reader.remaining > 0 else { throw .invalidPadding(count: 0, room: 0) }
            let count = Int(bytes[bytes.count - 1])
            guard count >= 1, count <= reader.remaining else {
                throw .invalidPadding(count: count, room: reader.remaining)
            }
            paddingLength = count
        }
        let payload = try reader.readBytes(reader.remaining - paddingLength, "RTP payload")
        header = RTPHeader(
            marker: second & 0x80 != 0, payloadType: second & 0x7F, sequenceNumber: sequenceNumber,
            timestamp: timestamp, ssrc: ssrc, csrcs: csrcs, headerExtension: headerExtension)
        self.payload = payload
        self.paddingLength = paddingLength
    }

    /// The wire bytes; throws when a field is out of range (PT > 127, more than 15 CSRCs, …).
    public func serialized() throws(RTPPacketError) -> [UInt8] {
        try checkRange("payloadType", Int(header.payloadType), 0 ... 127)
        try checkRange("CSRC count", header.csrcs.count, 0 ... 15)
        try checkRange("paddingLength", paddingLength, 0 ... 255)
        if let headerExtension = header.headerExtension {
            try checkRange("extension length", headerExtension.data.count, 0 ... 0xFFFF * 4)
            try checkRange("extension length % 4", headerExtension.data.count % 4, 0 ... 0)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(header.serializedSize + payload.count + paddingLength)
        var first = Self.version << 6 | UInt8(header.csrcs.count)
        if paddingLength > 0 { first |= 0x20 }
        if header.headerExtension != nil { first |= 0x10 }
        bytes.append(first)
        bytes.append((header.marker ? 0x80 : 0) | header.payloadType)
        bytes.appendBigEndian(header.sequenceNumber)
        bytes.appendBigEndian(header.timestamp)
        bytes.appendBigEndian(header.ssrc)
        for csrc in header.csrcs { bytes.appendBigEndian(csrc) }
        if let headerExtension = header.headerExtension {
            bytes.appendBigEndian(headerExtension.profile)
            bytes.appendBigEndian(UInt16(headerExtension.data.count / 4))
            bytes.append(contentsOf: headerExtension.data)
        }
        bytes.append(contentsOf: payload)
        if paddingLength > 0 {
            bytes.append(contentsOf: repeatElement(0, count: paddingLength - 1))
            bytes.append(UInt8(paddingLength))
        }
        return bytes
    }
}
