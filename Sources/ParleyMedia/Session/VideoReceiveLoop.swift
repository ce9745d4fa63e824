/// Receiving a call's video, on a thread of its own: plain RTP and RTCP of the peer's
/// video stream (the receive thread authenticated and demultiplexed them) → RFC 7741
/// frame assembly (waiting for retransmissions) → VP8 decode → the playout queue, which
/// holds a picture ahead of the sound playing (lip sync) → the sink; NACKs, keyframe
/// requests (PLI) after loss and receiver reports go out through the protected output.
///
/// While receiving is stopped, packets are counted (statistics, reports) but dropped
/// before assembly; on resume the gap makes the receiver ask for a keyframe. Without a
/// sink nothing is decoded.
final class VideoReceiveLoop: @unchecked Sendable {
    /// Plain RTP/RTCP of the peer's video with its arrival time (monotonic nanoseconds).
    let inbox = MediaInbox<([UInt8], UInt64)>(capacity: 4096)
    private let receiver: VideoStreamReceiver
    private var sink: (any VideoSink)?
    private let shared: CallMediaShared
    private let output: ProtectedOutput
    private var videoLead: Double?
    /// Decoded pictures wait here while they are ahead of the sound (lip sync).
    private var playout = VideoPlayoutQueue<DecodedVideoFrame>()

    init(sink: (any VideoSink)?, plan: CallMediaPlan, canonicalName: String, shared: CallMediaShared, output: ProtectedOutput) throws {
        receiver = try VideoStreamReceiver(
            description: .vp8(port: 9), canonicalName: canonicalName, ssrc: plan.localVideoSSRC, estimatesBandwidth: true)
        self.sink = sink
        self.shared = shared
        self.output = output
        publish()
    }

    /// The thread's loop, until the inbox closes; then the sink is finished.
    func run() {
        let clock = shared.clock
        while true {
            // While packets are asked for again, wake often enough to re-ask and give up on time.
            let wait: UInt64 = receiver.isWaitingForPackets ? 5_000_000 : 50_000_000
            let deadline = min(clock.nowNanoseconds() + wait, playout.nextDue ?? .max)
            let items = inbox.take(until: deadline, clock: clock)
            for (datagram, arrival) in items { handle(datagram, arrival: arrival) }
            if receiver.isWaitingForPackets { show(receiver.poll(nowNanoseconds: clock.nowNanoseconds())) }
            write(playout.release(nowNanoseconds: clock.nowNanoseconds()))
            sendFeedbackIfDue()
            publish()
            if items.isEmpty && inbox.isClosed { break }
        }
        finish()
    }

    /// Finishes the sink (the file is complete); from `run`, or from `stop` when the
    /// session never started.
    func finish() {
        write(playout.flush())
        do { try sink?.finish() } catch { shared.sinkFailed(.video, "the video sink could not be finished: \(error)") }
        sink = nil
    }

    private func handle(_ datagram: [UInt8], arrival: UInt64) {
        let decode = sink != nil && shared.isReceiving(.video)
        show(receiver.receive(datagram, nowNanoseconds: arrival, decode: decode))
        sendFeedbackIfDue()
    }

    /// Decoded frames go to the playout queue, which holds those ahead of the sound.
    private func show(_ frames: [DecodedVideoFrame]) {
        let now = shared.clock.nowNanoseconds()
        for decoded in frames {
            write(playout.add(decoded, videoLead: lead(of: decoded), nowNanoseconds: now))
        }
    }

    /// Shows frames; the lead of the last one, now, is the lip sync the viewer sees.
    private func write(_ frames: [DecodedVideoFrame]) {
        for decoded in frames {
            do { try sink?.write(decoded.frame) } catch {
                sink = nil
                shared.sinkFailed(.video, "the video sink failed: \(error)")
            }
        }
        if let shown = frames.last, let lead = lead(of: shown) { videoLead = lead }
    }

    /// How far the picture of `frame` was captured after the sound playing now (seconds),
    /// from both streams' sender reports; nil until both have sent one.
    private func lead(of frame: DecodedVideoFrame) -> Double? {
        guard let videoReport = receiver.reception.lastSenderReport, let playing = shared.state.withLock({ $0.audioPlaying }) else {
            return nil
        }
        var sync = LipSync()
        sync.audioSenderReport(playing.senderReport)
        sync.videoSenderReport(videoReport)
        return sync.videoLead(audioTimestamp: playing.timestamp, videoTimestamp: frame.rtpTimestamp)
    }

    private func sendFeedbackIfDue() {
        let now = shared.clock.nowNanoseconds()
        if let feedback = try? receiver.feedbackIfDue(nowNanoseconds: now) { output.send(feedback, nowNanoseconds: now) }
    }

    private func publish() {
        var statistics = receiver.statistics(nowNanoseconds: shared.clock.nowNanoseconds())
        statistics.videoLeadMilliseconds = videoLead.map { $0 * 1000 }
        statistics.videoHoldMilliseconds = Double(playout.lastHold) / 1e6
        let wanted = receiver.wantsProbeReserve
        receiver.probeReady = shared.state.withLock {
            $0.statistics.received[.video] = statistics
            $0.statistics.videoLeadMilliseconds = statistics.videoLeadMilliseconds
            $0.probeReserveWanted = wanted
            return $0.probeReserveReady
        }
    }
}
