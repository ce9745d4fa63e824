/// A decoded picture and the RTP timestamp of the frame it came from.
public struct DecodedVideoFrame: Sendable {
    public var frame: I420Frame
    public var rtpTimestamp: UInt32
    public var isKeyframe: Bool
}

/// The receiving half of a video stream: datagrams → SRTP/RTP → RFC 7741 frame
/// assembly (only complete frames reach the decoder) → VP8 decode, with receiver
/// reports and, after loss, retransmission requests (RTCP generic NACK) when the sender
/// answers them, and keyframe requests (RTCP PLI, rate-limited) when retransmission
/// cannot help. No I/O; `poll` gives up on packets that did not come back in time.
public final class VideoStreamReceiver {
    public let reception: RTPReception
    /// Whether lost packets are asked for again (the sender offered `a=rtcp-fb:PT nack`).
    public let requestsRetransmissions: Bool
    private var assembler: VP8FrameAssembler
    private var requests = RetransmissionRequests()
    /// The path's bit rate as the delay of the frames shows it, sent back as RTCP REMB.
    private var bandwidth = ReceiveBandwidthEstimator()
    private let estimatesBandwidth: Bool
    private let decoder: VP8VideoDecoder
    private var limiter = KeyframeRequestLimiter()
    private var keyframeWanted = false
    private var decoderErrors: Int64 = 0
    private var framesDecoded: Int64 = 0
    private var keyframesReceived = 0
    private var framesShown = OneSecondCounter()
    private var size: (width: Int, height: Int)?
    private var packetsDiscarded: Int64 = 0

    /// `maximumPixels` caps the picture size a keyframe may declare (larger ones are refused
    /// before decoding and counted in `decoderErrors`).
    /// `ssrc`: the receiver's own SSRC in its reports and PLIs (a call uses its sending SSRC).
    /// `estimatesBandwidth`: send REMB from the delay of the frames (calls, whose sender
    /// adapts to it; not `parley stream`, whose sender may be anyone and whose source may
    /// pace itself unevenly).
    public init(
        description: MediaDescription, canonicalName: String, decoderThreads: Int = 1,
        maximumPixels: Int = VP8VideoDecoder.defaultMaximumPixels, ssrc: UInt32 = .random(in: 1 ... .max),
        estimatesBandwidth: Bool = false
    ) throws {
        self.estimatesBandwidth = estimatesBandwidth
        requestsRetransmissions = description.acceptsNegativeAcknowledgements
        assembler = VP8FrameAssembler(waitsForRetransmission: description.acceptsNegativeAcknowledgements)
        reception = try RTPReception(description: description, ssrc: ssrc, canonicalName: canonicalName, sessionBandwidth: 1_000_000)
        decoder = try VP8VideoDecoder(threads: decoderThreads, maximumPixels: maximumPixels)
    }

    /// Takes one datagram from the stream's port; returns the frames it completed, decoded.
    /// With `decode` false (receiving stopped locally) the packet counts for the statistics
    /// and reports but is dropped before assembly (`packetsDiscarded`); the gap this leaves
    /// makes the assembler ask for a keyframe once packets are taken again.
    public func receive(_ datagram: [UInt8], nowNanoseconds now: UInt64, decode: Bool = true) -> [DecodedVideoFrame] {
        guard case let .media(packet) = reception.receive(datagram, nowNanoseconds: now) else { return [] }
        if estimatesBandwidth { bandwidth.packetArrived(sequenceNumber: packet.header.sequenceNumber, timestamp: packet.header.timestamp, bytes: datagram.count, nowNanoseconds: now) }
        guard decode else {
            packetsDiscarded += 1
            return []
        }
        var assembled: [VP8AssembledFrame]
        do {
            assembled = try assembler.insert(packet)
        } catch {
            reception.updateStatistics { $0.packetsRejected += 1 }
            return []
        }
        if requestsRetransmissions, let sequence = assembler.lastInserted {
            requests.received(sequence, nowNanoseconds: now)
            assembled += giveUpOverdue(nowNanoseconds: now)
        }
        return decodeFrames(assembled, nowNanoseconds: now)
    }

    /// Gives up on packets that did not come back in time; returns the frames this lets
    /// through, decoded. Call it every few milliseconds while `isWaitingForPackets`.
    public func poll(nowNanoseconds now: UInt64) -> [DecodedVideoFrame] {
        guard requestsRetransmissions else { return [] }
        return decodeFrames(giveUpOverdue(nowNanoseconds: now), nowNanoseconds: now)
    }

    /// The bandwidth estimate is about to probe the path (or probing): the call's audio
    /// playout should hold a reserve (`AudioStreamReceiver.holdsProbeReserve`).
    public var wantsProbeReserve: Bool { estimatesBandwidth && bandwidth.wantsProbeReserve }

    /// Whether the reserve is in place (or nothing needs it): a probe may begin.
    public var probeReady: Bool {
        get { bandwidth.probeReady }
        set { bandwidth.probeReady = newValue }
    }

    /// Whether packets are missing and asked for (poll often then).
    public var isWaitingForPackets: Bool { requestsRetransmissions && requests.isWaiting }

    private func giveUpOverdue(nowNanoseconds now: UInt64) -> [VP8AssembledFrame] {
        var assembled: [VP8AssembledFrame] = []
        if let through = requests.abandoned(nowNanoseconds: now) { assembled = assembler.abandon(through: through) }
        if let needed = assembler.nextNeeded { requests.forget(before: needed) }
        return assembled
    }

    private func decodeFrames(_ assembled: [VP8AssembledFrame], nowNanoseconds now: UInt64) -> [DecodedVideoFrame] {
        if assembler.takeKeyframeRequest() { keyframeWanted = true }
        var decoded: [DecodedVideoFrame] = []
        for frame in assembled {
            if frame.isKeyframe {
                keyframesReceived += 1
                keyframeWanted = false
            } else if keyframeWanted && decoderErrors > 0 {
                continue   // after a decoder error only a keyframe can be decoded correctly
            }
            do {
                for picture in try decoder.decode(frame.data) {
                    framesDecoded += 1
                    framesShown.record(nowNanoseconds: now)
                    size = (picture.width, picture.height)
                    decoded.append(DecodedVideoFrame(frame: picture, rtpTimestamp: frame.timestamp, isKeyframe: frame.isKeyframe))
                }
            } catch {
                decoderErrors += 1
                keyframeWanted = true
            }
        }
        return decoded
    }

    /// RTCP to send now: a receiver report with a NACK for packets due to be asked for
    /// and a PLI when a keyframe is wanted (at most every 300 ms, or every RTT), or the
    /// scheduled receiver report.
    public func feedbackIfDue(nowNanoseconds now: UInt64) throws -> [UInt8]? {
        guard let source = reception.receiverStatistics.ssrc else { return nil }
        var feedback: [RTCPPacket] = []
        if requestsRetransmissions {
            let due = requests.requestsDue(nowNanoseconds: now)
            if !due.isEmpty {
                feedback.append(.negativeAcknowledgement(RTCPGenericNACK(
                    senderSSRC: reception.ssrc, mediaSSRC: source, sequenceNumbers: due.map { UInt16(truncatingIfNeeded: $0) })))
            }
        }
        if let estimate = bandwidth.estimateDue(nowNanoseconds: now) {
            feedback.append(.receiverEstimate(RTCPReceiverEstimate(senderSSRC: reception.ssrc, bitrate: estimate, mediaSSRCs: [source])))
        }
        if keyframeWanted, limiter.shouldSend(nowNanoseconds: now) {
            feedback.append(.pictureLossIndication(RTCPPictureLossIndication(senderSSRC: reception.ssrc, mediaSSRC: source)))
        }
        if !feedback.isEmpty { return try reception.control(feedback, nowNanoseconds: now) }
        return try reception.reportIfDue(nowNanoseconds: now)
    }

    public var isFinished: Bool { reception.statistics.byeReceived }

    public func statistics(nowNanoseconds now: UInt64) -> ReceivedStreamStatistics {
        var current = reception.currentStatistics(nowNanoseconds: now)
        current.framesDecoded = framesDecoded
        current.framesDropped = Int64(assembler.framesDropped)
        current.framesPerSecond = Double(framesShown.total(nowNanoseconds: now))
        current.width = size?.width
        current.height = size?.height
        current.keyframeRequestsSent = limiter.requestsSent
        current.keyframesReceived = keyframesReceived
        current.decoderErrors = decoderErrors
        current.packetsDiscarded = packetsDiscarded
        current.bandwidthEstimate = bandwidth.estimate.map { Int(min($0, UInt64(Int.max / 2))) }
        current.delayTrend = bandwidth.slope
        if requestsRetransmissions {
            current.packetsRequested = requests.packetsRequested
            current.packetsRecovered = requests.packetsRecovered
            current.packetsAbandoned = requests.packetsAbandoned
            current.retransmissionWaitMilliseconds = Double(requests.wait) / 1e6
        }
        return current
    }
}
