/// A decoded picture and the RTP timestamp of the frame it came from.
public struct DecodedVideoFrame: Sendable {
    public var frame: I420Frame
    public var rtpTimestamp: UInt32
    public var isKeyframe: Bool
}

/// The receiving half of a video stream: datagrams → SRTP/RTP → RFC 7741 frame
/// assembly (only complete frames reach the decoder) → VP8 decode, with keyframe
/// requests (RTCP PLI, rate-limited) after loss and receiver reports. No I/O.
public final class VideoStreamReceiver {
    public let reception: RTPReception
    private var assembler = VP8FrameAssembler()
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
    public init(
        description: MediaDescription, canonicalName: String, decoderThreads: Int = 1,
        maximumPixels: Int = VP8VideoDecoder.defaultMaximumPixels, ssrc: UInt32 = .random(in: 1 ... .max)
    ) throws {
        reception = try RTPReception(description: description, ssrc: ssrc, canonicalName: canonicalName, sessionBandwidth: 1_000_000)
        decoder = try VP8VideoDecoder(threads: decoderThreads, maximumPixels: maximumPixels)
    }

    /// Takes one datagram from the stream's port; returns the frames it completed, decoded.
    /// With `decode` false (receiving stopped locally) the packet counts for the statistics
    /// and reports but is dropped before assembly (`packetsDiscarded`); the gap this leaves
    /// makes the assembler ask for a keyframe once packets are taken again.
    public func receive(_ datagram: [UInt8], nowNanoseconds now: UInt64, decode: Bool = true) -> [DecodedVideoFrame] {
        guard case let .media(packet) = reception.receive(datagram, nowNanoseconds: now) else { return [] }
        guard decode else {
            packetsDiscarded += 1
            return []
        }
        let assembled: [VP8AssembledFrame]
        do {
            assembled = try assembler.insert(packet)
        } catch {
            reception.updateStatistics { $0.packetsRejected += 1 }
            return []
        }
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

    /// RTCP to send now: a receiver report with a PLI when a keyframe is wanted (at most
    /// every 300 ms, or every RTT), or the scheduled receiver report.
    public func feedbackIfDue(nowNanoseconds now: UInt64) throws -> [UInt8]? {
        if keyframeWanted, let source = reception.receiverStatistics.ssrc, limiter.shouldSend(nowNanoseconds: now) {
            return try reception.control(
                [.pictureLossIndication(RTCPPictureLossIndication(senderSSRC: reception.ssrc, mediaSSRC: source))], nowNanoseconds: now)
        }
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
        return current
    }
}
