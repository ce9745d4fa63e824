/// Sending a call's video, on a thread of its own: frames from the source (paced by the
/// camera, or by the clock for files and the test pattern) → VP8 → RTP → the protected
/// output. The peer's RTCP is applied between frames: a PLI makes the next frame a
/// keyframe. NACKs are answered by the receive thread from `sender.retransmissions`.
///
/// While sending is stopped the camera is still read but nothing is encoded or sent
/// (sender reports keep going out); the first frame after resuming is a keyframe. A source
/// that throws or ends stops sending video for the rest of the call (`onDeviceError`).
final class VideoSendLoop: @unchecked Sendable {
    let sender: VideoStreamSender
    /// RTCP for our streams (plain, with its arrival time), from the receive thread.
    let feedback = MediaInbox<([UInt8], NTPTimestamp)>(capacity: 64)
    private var source: (any VideoSource)?
    private let shared: CallMediaShared
    private let output: ProtectedOutput
    private var pacer: VideoPacer
    /// IP, UDP and SRTP bytes around each RTP packet: what a bottleneck's bucket counts.
    static let packetOverhead = 48

    init(source: any VideoSource, plan: CallMediaPlan, canonicalName: String, shared: CallMediaShared, output: ProtectedOutput) throws {
        let settings = VP8EncoderSettings(
            width: source.width, height: source.height, bitrate: plan.videoBitrate, frameRate: plan.frameRate, threads: 1)
        sender = try VideoStreamSender(
            description: .vp8(port: 9), settings: settings, canonicalName: canonicalName, ssrc: plan.localVideoSSRC, adaptsResolution: true)
        sender.answersRetransmissionRequests = false   // the receive thread answers NACKs as they arrive
        self.source = source
        self.shared = shared
        self.output = output
        pacer = VideoPacer(targetBitrate: sender.rate.target)
        publish()
    }

    /// The thread's loop, until the session stops; ends with a BYE.
    func run() {
        let clock = shared.clock
        var wasSending = true
        while !shared.stop.isSet {
            guard let active = source else {
                idle()
                continue
            }
            let captured: CapturedVideoFrame
            do {
                guard let frame = try active.nextFrameBlocking() else {
                    fail("the video source ended")
                    continue
                }
                captured = frame
            } catch {
                fail("the video source failed: \(error)")
                continue
            }
            guard !shared.stop.isSet else { break }
            applyFeedback()
            if let limit = shared.state.withLock({ $0.videoBitrateLimit }) { sender.setMaximumBitrate(limit) }
            let now = clock.nowNanoseconds()
            let sending = shared.isSending(.video)
            if sending {
                if !wasSending { sender.requestKeyframe() }
                do {
                    sendPaced(try sender.send(captured, nowNanoseconds: now))
                } catch {
                    fail("video could not be encoded: \(error)")
                }
            } else {
                reportIfDue(now)
            }
            wasSending = sending
            publish()
        }
        let now = clock.nowNanoseconds()
        if let goodbye = try? sender.goodbye(nowNanoseconds: now) { output.send(goodbye, nowNanoseconds: now) }
        publish()
    }

    /// Sends a frame's packets as the pacer lets them go, waiting in between (a stop ends the wait).
    private func sendPaced(_ datagrams: [[UInt8]]) {
        let clock = shared.clock
        pacer.setTarget(sender.rate.target)
        for datagram in datagrams {
            var now = clock.nowNanoseconds()
            let departure = pacer.departure(bytes: datagram.count + Self.packetOverhead, nowNanoseconds: now)
            if departure > now {
                if shared.stop.wait(seconds: Double(departure - now) / 1e9) { return }
                now = clock.nowNanoseconds()
            }
            output.send(datagram, nowNanoseconds: now)
        }
    }

    /// Without a source: reports and feedback only, until the session stops.
    private func idle() {
        guard !shared.stop.wait(seconds: 0.1) else { return }
        applyFeedback()
        reportIfDue(shared.clock.nowNanoseconds())
        publish()
    }

    private func fail(_ message: String) {
        source = nil
        shared.deviceFailed(.video, message, stopsSending: true)
    }

    private func reportIfDue(_ now: UInt64) {
        if let report = try? sender.transmitter.reportIfDue(nowNanoseconds: now) { output.send(report, nowNanoseconds: now) }
    }

    private func applyFeedback() {
        let now = shared.clock.nowNanoseconds()
        for (datagram, arrival) in feedback.takeAll() { sender.receiveFeedback(datagram, arrival: arrival, nowNanoseconds: now) }
    }

    private func publish() {
        let statistics = sender.statistics(nowNanoseconds: shared.clock.nowNanoseconds())
        shared.update { $0.statistics.sent[.video] = statistics }
    }
}
