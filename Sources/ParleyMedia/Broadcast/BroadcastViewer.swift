/// One viewer of a ``BroadcastSender``: the broadcast's packets protected under this
/// viewer's own SRTP key, and the viewer's RTCP (receiver reports, NACKs, PLIs)
/// authenticated under its key. Created by ``BroadcastSender/addViewer(sendKey:receiveKey:transport:)``;
/// ``leave()`` stops its packets.
public final class BroadcastViewer: @unchecked Sendable {
    let output: ProtectedOutput
    private weak var sender: BroadcastSender?
    private let inbound: SRTPSession
    private let audioSSRC: UInt32
    private let videoSSRC: UInt32
    private let clock: MonotonicClock
    /// The video packets this viewer was sent in the last second, for its NACKs: the
    /// packets are the broadcast's (shared, not copied); the budget and the spacing of
    /// resends are this viewer's, so one viewer's repairs never refuse another's.
    private let retransmissions: RetransmissionBuffer
    private let state = Locked<ViewerState>(ViewerState())

    private struct ViewerState {
        var packets: [CallMediaKind: Int64] = [:]
        var reports: [CallMediaKind: (block: RTCPReportBlock, roundTrip: Double?)] = [:]
        var keyframeRequests = 0
        var retransmitted: Int64 = 0
        var lastReceived: UInt64?
        var rejected: Int64 = 0
        var saidGoodbye = false
    }

    init(sender: BroadcastSender, sendKey: SRTPKeyingMaterial, receiveKey: SRTPKeyingMaterial, transport: any MediaTransport) throws {
        output = try ProtectedOutput(key: sendKey, transport: transport)
        inbound = try SRTPSession(keying: receiveKey, direction: .inbound)
        self.sender = sender
        audioSSRC = sender.audioSSRC
        videoSSRC = sender.videoSSRC
        clock = sender.clock
        retransmissions = RetransmissionBuffer(budgetBytesPerSecond: sender.retransmissionBudget)
    }

    /// One of the broadcast's packets (plain RTP or RTCP) for this viewer; `media`: the kind
    /// of an RTP packet (nil for RTCP), as the sender classified it once for every viewer.
    func deliver(_ plain: [UInt8], media kind: CallMediaKind?, nowNanoseconds now: UInt64) {
        output.send(plain, nowNanoseconds: now)
        guard let kind else { return }
        if kind == .video {
            retransmissions.record(sequenceNumber: UInt16(plain[2]) << 8 | UInt16(plain[3]), datagram: plain, nowNanoseconds: now)
        }
        state.withLock { $0.packets[kind, default: 0] += 1 }
    }

    /// A datagram from the viewer: only RTCP that authenticates under its key counts (its
    /// reports, retransmission and keyframe requests); anything else is counted and dropped.
    /// `onAuthenticated` runs once it passed SRTP authentication.
    public func receive(_ datagram: [UInt8], onAuthenticated: (@Sendable () -> Void)?) {
        guard MultiplexedPacketKind.classify(datagram) == .rtcp,
              let plain = try? state.withLock({ _ in try inbound.unprotectRTCP(datagram) }),
              let packets = try? RTCPPacket.parseCompound(plain) else {
            state.withLock { $0.rejected += 1 }
            return
        }
        let now = clock.nowNanoseconds()
        let arrival = NTPTimestamp.now()
        onAuthenticated?()
        var resend: [[UInt8]] = []
        var keyframe = false
        var blocks: [RTCPReportBlock] = []
        var goodbye = false
        for packet in packets {
            switch packet {
            case .receiverReport(let report): blocks += report.reportBlocks
            case .senderReport(let report): blocks += report.reportBlocks
            case .pictureLossIndication(let request) where request.mediaSSRC == videoSSRC: keyframe = true
            case .negativeAcknowledgement(let request) where request.mediaSSRC == videoSSRC:
                resend += retransmissions.answer(request, nowNanoseconds: now)
            case .other(let type, _, _) where type == RTCPPacket.goodbyeType: goodbye = true
            default: continue
            }
        }
        state.withLock { state in
            state.lastReceived = now
            if keyframe { state.keyframeRequests += 1 }
            state.retransmitted += Int64(resend.count)
            if goodbye { state.saidGoodbye = true }
            for block in blocks where block.ssrc == audioSSRC || block.ssrc == videoSSRC {
                state.reports[block.ssrc == videoSSRC ? .video : .audio] = (block, block.roundTripTime(arrivedAt: arrival))
            }
        }
        if let roundTrip = state.withLock({ $0.reports[.video]?.roundTrip ?? $0.reports[.audio]?.roundTrip }) {
            retransmissions.setRoundTrip(seconds: roundTrip)
        }
        if keyframe { sender?.keyframeRequested() }
        for datagram in resend { output.send(datagram, nowNanoseconds: now) }
    }

    /// Stops sending to this viewer (with a goodbye). Calling it again does nothing.
    public func leave() {
        sender?.remove(self)
    }

    /// What this viewer got: the broadcast's streams with this viewer's packet counts and
    /// what its reports say (loss, jitter, round trip), its keyframe requests and repairs.
    public func statistics() -> CallMediaStatistics {
        let shared = sender?.statistics()
        return state.withLock { state in
            var result = CallMediaStatistics()
            for (kind, stream) in [(CallMediaKind.audio, shared?.audio), (.video, shared?.video)] {
                guard var stream else { continue }
                stream.packetsSent = state.packets[kind] ?? 0
                if let report = state.reports[kind] {
                    stream.reportedLossFraction = Double(report.block.fractionLost) / 256
                    stream.reportedJitterMilliseconds = Double(report.block.jitter) * 1000 / (kind == .audio ? 48000 : 90000)
                    stream.roundTripMilliseconds = report.roundTrip.map { $0 * 1000 }
                } else {
                    stream.reportedLossFraction = nil
                    stream.reportedJitterMilliseconds = nil
                    stream.roundTripMilliseconds = nil
                }
                if kind == .video {
                    stream.keyframeRequestsReceived = state.keyframeRequests
                    stream.packetsRetransmitted = state.retransmitted
                }
                result.sent[kind] = stream
                result.sending[kind] = true
            }
            result.datagramsRejected = state.rejected
            result.sendFailures = output.failures
            return result
        }
    }

    /// Monotonic nanoseconds of the viewer's last authenticated RTCP.
    public var lastReceivedNanoseconds: UInt64? { state.withLock { $0.lastReceived } }

    /// The viewer said goodbye (RTCP BYE).
    public var saidGoodbye: Bool { state.withLock { $0.saidGoodbye } }
}
