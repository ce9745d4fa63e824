/// What one datagram on a receiving stream's port turned out to be.
public enum ReceivedDatagram: Equatable, Sendable {
    /// An RTP packet of the stream's source, with its payload type.
    case media(RTPPacket)
    /// RTCP from the source (already recorded: SRs for LSR/DLSR, BYE).
    case control([RTCPPacket])
    /// Not for this stream: not RTP/RTCP, another payload type or source, failed SRTP.
    case rejected(String)
}

/// The network side of one received RTP stream, whatever the codec: SRTP, the source's
/// SSRC (the first seen), RFC 3550 reception statistics, receiver reports on schedule,
/// and immediate feedback (PLI). No I/O.
public final class RTPReception {
    public let description: MediaDescription
    /// The receiver's own SSRC, for its reports.
    public let ssrc: UInt32
    public private(set) var statistics: ReceivedStreamStatistics
    public private(set) var receiverStatistics: RTPReceiverStatistics
    /// The latest SR of the source (lip sync maps RTP time to its wall clock with it).
    public private(set) var lastSenderReport: RTCPSenderReport?
    private var scheduler: RTCPIntervalScheduler
    private let inbound: SRTPSession?
    private let outbound: SRTPSession?
    private var bytesReceived = OneSecondCounter()
    private let canonicalName: String

    public init(description: MediaDescription, ssrc: UInt32 = .random(in: 1 ... .max), canonicalName: String, sessionBandwidth: Int) throws(SRTPError) {
        self.description = description
        self.ssrc = ssrc
        self.canonicalName = canonicalName
        statistics = ReceivedStreamStatistics(kind: description.kind)
        receiverStatistics = RTPReceiverStatistics(clockRate: description.clockRate)
        scheduler = RTCPIntervalScheduler(minimumInterval: 1_000_000_000, sessionBandwidth: sessionBandwidth, isSender: false)
        inbound = try description.srtpKey.map { key throws(SRTPError) in try SRTPSession(keying: key, direction: .inbound) }
        outbound = try description.srtpKey.map { key throws(SRTPError) in try SRTPSession(keying: key, direction: .outbound) }
    }

    /// Unprotects, classifies and records one datagram that arrived at `now`.
    public func receive(_ datagram: [UInt8], nowNanoseconds now: UInt64) -> ReceivedDatagram {
        let result = classify(datagram, now: now)
        if case .rejected = result { statistics.packetsRejected += 1 }
        return result
    }

    private func classify(_ datagram: [UInt8], now: UInt64) -> ReceivedDatagram {
        switch MultiplexedPacketKind.classify(datagram) {
        case nil:
            return .rejected("not RTP or RTCP")
        case .rtcp:
            let plain: [UInt8]
            do {
                plain = try inbound.map { try $0.unprotectRTCP(datagram) } ?? datagram
            } catch { return .rejected("SRTCP: \(error)") }
            guard let packets = try? RTCPPacket.parseCompound(plain) else { return .rejected("malformed RTCP") }
            for packet in packets {
                if case let .senderReport(report) = packet, report.ssrc == receiverStatistics.ssrc || receiverStatistics.ssrc == nil {
                    receiverStatistics.recordSenderReport(report, arrivalNanoseconds: now)
                    lastSenderReport = report
                    statistics.senderReportsReceived += 1
                }
                if let source = receiverStatistics.ssrc, packet.isGoodbye(from: source) {
                    statistics.byeReceived = true
                }
            }
            return .control(packets)
        case .rtp:
            let plain: [UInt8]
            do {
                plain = try inbound.map { try $0.unprotect(datagram) } ?? datagram
            } catch { return .rejected("SRTP: \(error)") }
            guard let packet = try? RTPPacket(parsing: plain) else { return .rejected("malformed RTP") }
            guard packet.header.payloadType == description.payloadType else {
                return .rejected("payload type \(packet.header.payloadType), expected \(description.payloadType)")
            }
            if let source = receiverStatistics.ssrc, source != packet.header.ssrc {
                return .rejected("SSRC \(packet.header.ssrc) is not the stream's source \(source)")
            }
            receiverStatistics.record(packet.header, arrivalNanoseconds: now)
            bytesReceived.record(datagram.count, nowNanoseconds: now)
            return .media(packet)
        }
    }

    /// A receiver report when one is due at `now` (nil before the first packet).
    public func reportIfDue(nowNanoseconds now: UInt64) throws -> [UInt8]? {
        guard receiverStatistics.ssrc != nil, scheduler.isDue(nowNanoseconds: now) else { return nil }
        let report = try control([], nowNanoseconds: now)
        scheduler.didSend(size: report.count, nowNanoseconds: now)
        statistics.receiverReportsSent += 1
        return report
    }

    /// An immediate compound packet: a receiver report followed by `feedback` (RFC 4585).
    public func control(_ feedback: [RTCPPacket], nowNanoseconds now: UInt64) throws -> [UInt8] {
        let blocks = receiverStatistics.makeReportBlock(nowNanoseconds: now).map { [$0] } ?? []
        let packets: [RTCPPacket] = [
            .receiverReport(RTCPReceiverReport(ssrc: ssrc, reportBlocks: blocks)),
            .sourceDescription(ssrc: ssrc, canonicalName: canonicalName),
        ] + feedback
        let bytes = try RTCPPacket.serializeCompound(packets)
        return try outbound.map { try $0.protectRTCP(bytes) } ?? bytes
    }

    /// The statistics with rates over the last second.
    public func currentStatistics(nowNanoseconds now: UInt64) -> ReceivedStreamStatistics {
        var current = statistics
        current.ssrc = receiverStatistics.ssrc
        current.packetsReceived = receiverStatistics.packetsReceived
        current.packetsLost = receiverStatistics.cumulativeLost
        let expected = receiverStatistics.packetsExpected
        current.lossFraction = expected > 0 ? max(0, Double(receiverStatistics.cumulativeLost) / Double(expected)) : 0
        current.jitterMilliseconds = receiverStatistics.jitterSeconds * 1000
        current.bitrate = bytesReceived.total(nowNanoseconds: now) * 8
        return current
    }

    /// Lets the codec owner fill codec-specific statistics.
    public func updateStatistics(_ update: (inout ReceivedStreamStatistics) -> Void) {
        update(&statistics)
    }
}
