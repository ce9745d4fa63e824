/// Sending a call's audio, on a thread of its own: 20 ms frames from the source (which
/// paces them: a file on the clock, a microphone by itself) → voice processing (echo
/// cancellation against what the speaker played, noise suppression) → Opus → RTP →
/// the protected output. The peer's RTCP about this stream (receiver reports: loss for
/// the encoder's FEC, RTT) is applied between frames.
///
/// While sending is stopped the microphone is still read (so nothing stale is sent on
/// resume) but nothing is encoded or sent; the RTP timestamps go on with the clock and
/// sender reports keep going out. A source that throws or ends stops sending audio for the
/// rest of the call (`onDeviceError`); reports and the final BYE still go out.
final class AudioSendLoop: @unchecked Sendable {
    let sender: AudioStreamSender
    /// RTCP for our streams (plain, with its arrival time), from the receive thread.
    let feedback = MediaInbox<([UInt8], NTPTimestamp)>(capacity: 64)
    private var source: (any AudioSource)?
    private let processor: VoiceProcessor?
    private let shared: CallMediaShared
    private let output: ProtectedOutput
    /// Opus's rate, lowered only when the path is too narrow for the video's floor.
    private var rate: AudioRateController

    init(
        source: any AudioSource, plan: CallMediaPlan, voiceProcessing: Bool, canonicalName: String,
        shared: CallMediaShared, output: ProtectedOutput
    ) throws {
        sender = try AudioStreamSender(
            description: .opus(port: 9), settings: OpusEncoderSettings(bitrate: plan.audioBitrate, packetLossPercentage: 0, complexity: plan.audioComplexity),
            canonicalName: canonicalName,
            ssrc: plan.localAudioSSRC)
        rate = AudioRateController(configured: plan.audioBitrate)
        processor = voiceProcessing ? try VoiceProcessor() : nil
        self.source = source
        self.shared = shared
        self.output = output
        publish()
    }

    /// The thread's loop, until the session stops; ends with a BYE.
    func run() {
        let clock = shared.clock
        while !shared.stop.isSet {
            guard let active = source else {
                idle()
                continue
            }
            let captured: (samples: [Int16], captureTime: UInt64)
            do {
                guard let frame = try active.nextFrameBlocking() else {
                    fail("the audio source ended")
                    continue
                }
                captured = frame
            } catch {
                fail("the audio source failed: \(error)")
                continue
            }
            guard !shared.stop.isSet else { break }
            applyFeedback()
            let now = clock.nowNanoseconds()
            followThePath(nowNanoseconds: now)
            let echoReference = shared.takePlayed(capturedAt: captured.captureTime)
            if shared.isSending(.audio) {
                var samples = captured.samples
                if let processor, let cleaned = try? processor.process(captured: samples, played: echoReference) { samples = cleaned }
                do {
                    for datagram in try sender.send(samples: samples, captureTime: captured.captureTime, nowNanoseconds: now) {
                        output.send(datagram, nowNanoseconds: now)
                    }
                } catch {
                    fail("audio could not be encoded: \(error)")
                }
            } else {
                sender.skipFrame(sampleCount: captured.samples.count)
                reportIfDue(now)
            }
            publish()
        }
        let now = clock.nowNanoseconds()
        if let goodbye = try? sender.goodbye(nowNanoseconds: now) { output.send(goodbye, nowNanoseconds: now) }
        publish()
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
        shared.deviceFailed(.audio, message, stopsSending: true)
    }

    private func reportIfDue(_ now: UInt64) {
        if let report = try? sender.transmitter.reportIfDue(nowNanoseconds: now) { output.send(report, nowNanoseconds: now) }
    }

    /// Sets Opus's rate from the receiver's estimate of the path (the video's REMB).
    private func followThePath(nowNanoseconds now: UInt64) {
        let estimate = shared.state.withLock { $0.statistics.sent[.video]?.receiverEstimate }
        if let bitrate = rate.pathEstimated(estimate, nowNanoseconds: now) { try? sender.setBitrate(bitrate) }
    }

    private func applyFeedback() {
        for (datagram, arrival) in feedback.takeAll() { sender.receiveFeedback(datagram, arrival: arrival, nowNanoseconds: 0) }
    }

    private func publish() {
        let statistics = sender.statistics(nowNanoseconds: shared.clock.nowNanoseconds())
        shared.update { $0.statistics.sent[.audio] = statistics }
    }
}
