/// Sender report (RFC 3550 §6.4.1, packet type 200).
public struct RTCPSenderReport: Equatable, Sendable {
    public var ssrc: UInt32
    public var ntpTimestamp: NTPTimestamp
    /// The RTP timestamp that corresponds to `ntpTimestamp` (used for lip sync).
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    /// At most 31.
    public var reportBlocks: [RTCPReportBlock]
    /// Profile-specific extension bytes after the report blocks (multiple of 4).
    public var extensionData: [UInt8]

    public init(
        ssrc: UInt32, ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reportBlocks: [RTCPReportBlock] = [], extensionData: [UInt8] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reportBlocks = reportBlocks
        self.extensionData = extensionData
    }
}

/// Receiver report (RFC 3550 §6.4.2, packet type 201).
public struct RTCPReceiverReport: Equatable, Sendable {
    public var ssrc: UInt32
    /// At most 31.
    public var reportBlocks: [RTCPReportBlock]
    public var extensionData: [UInt8]

    public init(ssrc: UInt32, reportBlocks: [RTCPReportBlock] = [], extensionData: [UInt8] = []) {
        self.ssrc = ssrc
        self.reportBlocks = reportBlocks
        self.extensionData = extensionData
    }
}

/// Picture Loss Indication (RFC 4585 §6.3.1: payload-specific feedback, PT 206, FMT 1):
/// asks the sender of `mediaSSRC` for a keyframe.
public struct RTCPPictureLossIndication: Equatable, Sendable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32

    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }
}

/// One RTCP packet of a compound packet. Types Parley does not interpret (SDES, BYE,
/// APP, other feedback) are kept verbatim as `.other`.
public enum RTCPPacket: Equatable, Sendable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case pictureLossIndication(RTCPPictureLossIndication)
    case negativeAcknowledgement(RTCPGenericNACK)
    case receiverEstimate(RTCPReceiverEstimate)
    /// `count` is the 5-bit field (report count or FMT); `body` follows the 4-byte header.
    case other(packetType: UInt8, count: UInt8, body: [UInt8])

    public static let senderReportType: UInt8 = 200
    public static let receiverReportType: UInt8 = 201
    public static let payloadSpecificFeedbackType: UInt8 = 206
    public static let pictureLossIndicationFormat: UInt8 = 1
    public static let transportFeedbackType: UInt8 = 205
    public static let genericNACKFormat: UInt8 = 1

    /// Parses a compound RTCP packet (one or more packets back to back). Every length is
    /// checked against the bytes present; padding is only accepted on the last packet.
    public static func parseCompound(_ bytes: [UInt8]) throws(RTPPacketError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = 0
        guard !bytes.isEmpty else { throw .truncated(what: "RTCP packet", needed: 4, available: 0) }
        while offset < bytes.count {
            var header = ByteReader(bytes, offset: offset)
            let first = try header.readUInt8("RTCP header")
            let packetType = try header.readUInt8("RTCP header")
            let words = Int(try header.readUInt16("RTCP header"))
            let version = first >> 6
            guard version == 2 else { throw .unsupportedVersion(version) }
            let length = (words + 1) * 4
            try header.require(length - 4, "RTCP packet")
            let end = offset + length
            var bodyEnd = end
            if first & 0x20 != 0 {
                guard end == bytes.count else { throw .invalidPadding(count: Int(bytes[end - 1]), room: 0) }
                let padding = Int(bytes[end - 1])
                guard padding >= 1, padding <= length - 4 else { throw .invalidPadding(count: padding, room: length - 4) }
                bodyEnd = end - padding
            }
            var body = ByteReader(bytes, offset: offset + 4, end: bodyEnd)
            packets.append(try parseOne(packetType: packetType, count: first & 0x1F, body: &body))
            offset = end
        }
        return packets
    }

    private static func parseOne(packetType: UInt8, count: UInt8, body: inout ByteReader) throws(RTPPacketError) -> RTCPPacket {
        switch packetType {
        case senderReportType:
            let ssrc = try body.readUInt32("RTCP SR")
            let seconds = try body.readUInt32("RTCP SR")
            let fraction = try body.readUInt32("RTCP SR")
            let rtpTimestamp = try body.readUInt32("RTCP SR")
            let packetCount = try body.readUInt32("RTCP SR")
            let octetCount = try body.readUInt32("RTCP SR")
            let blocks = try readBlocks(count: Int(count), from: &body)
            let rest = try body.readBytes(body.remaining, "RTCP SR")
            return .senderReport(RTCPSenderReport(
                ssrc: ssrc, ntpTimestamp: NTPTimestamp(seconds: seconds, fraction: fraction), rtpTimestamp: rtpTimestamp,
                packetCount: packetCount, octetCount: octetCount, reportBlocks: blocks, extensionData: rest))
        case receiverReportType:
            let ssrc = try body.readUInt32("RTCP RR")
            let blocks = try readBlocks(count: Int(count), from: &body)
            let rest = try body.readBytes(body.remaining, "RTCP RR")
            return .receiverReport(RTCPReceiverReport(ssrc: ssrc, reportBlocks: blocks, extensionData: rest))
        case payloadSpecificFeedbackType where count == pictureLossIndicationFormat:
            guard body.remaining == 8 else { throw .invalidLength(what: "RTCP PLI", length: body.remaining) }
            let sender = try body.readUInt32("RTCP PLI")
            let media = try body.readUInt32("RTCP PLI")
            return .pictureLossIndication(RTCPPictureLossIndication(senderSSRC: sender, mediaSSRC: media))
        case payloadSpecificFeedbackType where count == RTCPReceiverEstimate.format && RTCPReceiverEstimate.isEstimate(body):
            return .receiverEstimate(try RTCPReceiverEstimate.parse(&body))
        case transportFeedbackType where count == genericNACKFormat:
            return .negativeAcknowledgement(try RTCPGenericNACK.parse(&body))
        default:
            return .other(packetType: packetType, count: count, body: try body.readBytes(body.remaining, "RTCP packet"))
        }
    }

    private static func readBlocks(count: Int, from body: inout ByteReader) throws(RTPPacketError) -> [RTCPReportBlock] {
        try body.require(count * RTCPReportBlock.size, "RTCP report blocks")
        var blocks: [RTCPReportBlock] = []
        blocks.reserveCapacity(count)
        for _ in 0 ..< count { blocks.append(try RTCPReportBlock(reading: &body)) }
        return blocks
    }

    /// The wire bytes of this packet (padded only when its body is not word-aligned).
    public func serialized() throws(RTPPacketError) -> [UInt8] {
        var body: [UInt8] = []
        let count: UInt8
        let packetType: UInt8
        switch self {
        case let .senderReport(report):
            try checkRange("report blocks", report.reportBlocks.count, 0 ... 31)
            packetType = Self.senderReportType
            count = UInt8(report.reportBlocks.count)
            body.appendBigEndian(report.ssrc)
            body.appendBigEndian(report.ntpTimestamp.seconds)
            body.appendBigEndian(report.ntpTimestamp.fraction)
            body.appendBigEndian(report.rtpTimestamp)
            body.appendBigEndian(report.packetCount)
            body.appendBigEndian(report.octetCount)
            for block in report.reportBlocks { try block.write(to: &body) }
            body.append(contentsOf: report.extensionData)
        case let .receiverReport(report):
            try checkRange("report blocks", report.reportBlocks.count, 0 ... 31)
            packetType = Self.receiverReportType
            count = UInt8(report.reportBlocks.count)
            body.appendBigEndian(report.ssrc)
            for block in report.reportBlocks { try block.write(to: &body) }
            body.append(contentsOf: report.extensionData)
        case let .pictureLossIndication(pli):
            packetType = Self.payloadSpecificFeedbackType
            count = Self.pictureLossIndicationFormat
            body.appendBigEndian(pli.senderSSRC)
            body.appendBigEndian(pli.mediaSSRC)
        case let .receiverEstimate(estimate):
            packetType = Self.payloadSpecificFeedbackType
            count = RTCPReceiverEstimate.format
            try estimate.write(to: &body)
        case let .negativeAcknowledgement(nack):
            packetType = Self.transportFeedbackType
            count = Self.genericNACKFormat
            nack.write(to: &body)
        case let .other(type, otherCount, otherBody):
            try checkRange("count", Int(otherCount), 0 ... 31)
            packetType = type
            count = otherCount
            body = otherBody
        }
        // A body that is not a whole number of 32-bit words (kept from a padded packet)
        // is padded again; padding is only valid on the last packet of a compound.
        let padding = (4 - body.count % 4) % 4
        try checkRange("RTCP body length", body.count + padding, 0 ... 0xFFFF * 4)
        var bytes: [UInt8] = [2 << 6 | (padding > 0 ? 0x20 : 0) | count, packetType]
        bytes.appendBigEndian(UInt16((body.count + padding) / 4))
        bytes.append(contentsOf: body)
        if padding > 0 {
            bytes.append(contentsOf: repeatElement(0, count: padding - 1))
            bytes.append(UInt8(padding))
        }
        return bytes
    }

    /// Whether `serialized()` adds padding (the body is not a whole number of words).
    var needsPadding: Bool {
        switch self {
        case let .senderReport(report): report.extensionData.count % 4 != 0
        case let .receiverReport(report): report.extensionData.count % 4 != 0
        case .pictureLossIndication, .negativeAcknowledgement, .receiverEstimate: false
        case let .other(_, _, body): body.count % 4 != 0
        }
    }

    /// A compound packet: the packets back to back.
    public static func serializeCompound(_ packets: [RTCPPacket]) throws(RTPPacketError) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, packet) in packets.enumerated() {
            if packet.needsPadding && index != packets.count - 1 {
                throw .invalidPadding(count: 4, room: 0)
            }
            bytes.append(contentsOf: try packet.serialized())
        }
        return bytes
    }
}
