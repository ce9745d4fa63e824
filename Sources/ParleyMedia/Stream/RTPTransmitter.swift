/// What a peer's RTCP asked of a sender.
public enum SenderFeedback: Equatable, Sendable {
    /// A receiver report block about this stream.
    case report(RTCPReportBlock)
    /// The receiver lost a picture: send a keyframe (RTCP PLI).
    case keyframeRequest
    /// The receiver lost these packets: send them again (RTCP generic NACK).
    case retransmissionRequest(RTCPGenericNACK)
    /// The receiver estimates the path carries this many bits per second (RTCP REMB).
    case receiverEstimate(UInt64)
}

/// The network side of one sent RTP stream, whatever the codec: SRTP protection, sender
/// statistics, RTCP sender reports on the RFC 3550 schedule, and the peer's feedback.
/// No I/O: callers hand the returned datagrams to a socket.
public final class RTPTransmitter {
    public let ssrc: UInt32
    public let clockRate: Int
    public let canonicalName: String
    public private(set) var statistics: SentStreamStatistics
    private var senderStatistics: RTPSenderStatistics
    private var scheduler: RTCPIntervalScheduler
    private let outbound: SRTPSession?
    private let inbound: SRTPSession?
    private var bytesSent = OneSecondCounter()

    /// `srtpKey`: protect with SRTP (and expect SRTCP feedback under the same key).
    public init(
        kind: MediaDescription.Kind, ssrc: UInt32, clockRate: Int, srtpKey: SRTPKeyingMaterial?, canonicalName: String,
        sessionBandwidth: Int, minimumRTCPInterval: UInt64 = 1_000_000_000
    ) throws(SRTPError) {
        self.ssrc = ssrc
        self.clockRate = clockRate
        self.canonicalName = canonicalName
        statistics = SentStreamStatistics(kind: kind, ssrc: ssrc)
        senderStatistics = RTPSenderStatistics(ssrc: ssrc, clockRate: clockRate)
        scheduler = RTCPIntervalScheduler(minimumInterval: minimumRTCPInterval, sessionBandwidth: sessionBandwidth, isSender: true)
        outbound = try srtpKey.map { key throws(SRTPError) in try SRTPSession(keying: key, direction: .outbound) }
        inbound = try srtpKey.map { key throws(SRTPError) in try SRTPSession(keying: key, direction: .inbound) }
    }

    /// The datagram for `packet` (protected when SRTP is on); counts it for the statistics
    /// and the next sender report.
    public func datagram(for packet: RTPPacket, captureNanoseconds: UInt64, nowNanoseconds now: UInt64) throws -> [UInt8] {
        var bytes = try packet.serialized()
        if let outbound { bytes = try outbound.protect(bytes) }
        senderStatistics.record(packet, captureNanoseconds: captureNanoseconds)
        statistics.packetsSent += 1
        bytesSent.record(bytes.count, nowNanoseconds: now)
        return bytes
    }

    /// A sender report (with SDES CNAME) when one is due at `now`.
    public func reportIfDue(nowNanoseconds now: UInt64) throws -> [UInt8]? {
        guard scheduler.isDue(nowNanoseconds: now) else { return nil }
        guard let report = try controlDatagram([], nowNanoseconds: now) else { return nil }
        scheduler.didSend(size: report.count, nowNanoseconds: now)
        statistics.senderReportsSent += 1
        return report
    }

    /// The last report with a BYE: the stream ends.
    public func goodbye(nowNanoseconds now: UInt64) throws -> [UInt8] {
        try controlDatagram([.goodbye(ssrc: ssrc)], nowNanoseconds: now)
            ?? protectControl(try RTCPPacket.serializeCompound([
                .receiverReport(RTCPReceiverReport(ssrc: ssrc)),
                .sourceDescription(ssrc: ssrc, canonicalName: canonicalName), .goodbye(ssrc: ssrc),
            ]))
    }

    private func controlDatagram(_ trailing: [RTCPPacket], nowNanoseconds now: UInt64) throws -> [UInt8]? {
        guard let report = senderStatistics.makeSenderReport(nowNanoseconds: now, wallClock: .now()) else { return nil }
        let packets: [RTCPPacket] = [.senderReport(report), .sourceDescription(ssrc: ssrc, canonicalName: canonicalName)] + trailing
        return try protectControl(try RTCPPacket.serializeCompound(packets))
    }

    private func protectControl(_ bytes: [UInt8]) throws -> [UInt8] {
        guard let outbound else { return bytes }
        return try outbound.protectRTCP(bytes)
    }

    /// Reads a datagram that came back on the stream's socket: RTCP reports and keyframe
    /// requests about this stream. Anything else (or a datagram that fails SRTP
    /// authentication) yields nothing.
    public func feedback(from datagram: [UInt8], arrival: NTPTimestamp = .now()) -> [SenderFeedback] {
        guard MultiplexedPacketKind.classify(datagram) == .rtcp else { return [] }
        guard let plain = try? inbound.map({ try $0.unprotectRTCP(datagram) }) ?? datagram,
              let packets = try? RTCPPacket.parseCompound(plain)
        else { return [] }
        var feedback: [SenderFeedback] = []
        for packet in packets {
            switch packet {
            case let .receiverReport(report):
                feedback += report.reportBlocks.filter { $0.ssrc == ssrc }.map { .report($0) }
            case let .senderReport(report):
                feedback += report.reportBlocks.filter { $0.ssrc == ssrc }.map { .report($0) }
            case let .pictureLossIndication(request) where request.mediaSSRC == ssrc:
                feedback.append(.keyframeRequest)
            case let .negativeAcknowledgement(request) where request.mediaSSRC == ssrc:
                feedback.append(.retransmissionRequest(request))
            case let .receiverEstimate(estimate) where estimate.mediaSSRCs.contains(ssrc):
                feedback.append(.receiverEstimate(estimate.bitrate))
            default:
                continue
            }
        }
        for item in feedback {
            switch item {
            case let .report(block):
                statistics.receiverReportsReceived += 1
                statistics.reportedLossFraction = Double(block.fractionLost) / 256
                statistics.reportedJitterMilliseconds = Double(block.jitter) * 1000 / Double(clockRate)
                if let rtt = block.roundTripTime(arrivedAt: arrival) { statistics.roundTripMilliseconds = rtt * 1000 }
            case .keyframeRequest:
                statistics.keyframeRequestsReceived += 1
            case let .receiverEstimate(bitrate):
                statistics.receiverEstimate = Int(min(bitrate, UInt64(Int.max / 2)))
            case .retransmissionRequest:
                continue
            }
        }
        return feedback
    }

    /// The statistics with the bit rate of the last second.
    public func currentStatistics(nowNanoseconds now: UInt64) -> SentStreamStatistics {
        var current = statistics
        current.bitrate = bytesSent.total(nowNanoseconds: now) * 8
        return current
    }

    /// Counts an encoded frame (for the statistics).
    public func countFrame() {
        statistics.framesSent += 1
    }

    /// Lets the codec owner fill codec-specific statistics.
    public func updateStatistics(_ update: (inout SentStreamStatistics) -> Void) {
        update(&statistics)
    }
}
