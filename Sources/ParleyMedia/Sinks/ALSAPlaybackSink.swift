import CALSA
import Foundation

/// A speaker through ALSA: plays 48 kHz mono frames as they come. Writes go to the
/// device's own thread, so the playout loop never blocks on the device; when the device
/// falls behind (its clock is slower, or it stalled) more than `maximumQueued` frames,
/// new frames are dropped so the delay stays bounded, and counted.
///
/// The device buffer holds `latencyMilliseconds` plus one frame, so a frame goes in whole
/// at once instead of the writing thread waiting on it (a frame handed over while the one
/// before was still going in waited up to 20 ms more); what the device holds ahead of the
/// sound is kept near half of `latencyMilliseconds` (at least 10 ms) by a
/// ``PlaybackDelayKeeper`` that leaves samples out of quiet frames, or adds silence to them.
public final class ALSAPlaybackSink: AudioSink {
    private let device: ALSADeviceThread
    private let state = LockedState()
    /// Frames waiting for the device before new ones are dropped (10 = 200 ms).
    public let maximumQueued: Int

    /// `latencyMilliseconds` (10…500): how far ahead of the sound playback may run; the
    /// device buffer asked of ALSA is that plus one frame.
    public init(device: ALSADevice = .named("default"), maximumQueued: Int = 10,
                latencyMilliseconds: Int = ALSAPCM.defaultLatencyMilliseconds) throws(AudioDeviceError) {
        let latency = ALSAPCM.microseconds(latencyMilliseconds)
        self.device = ALSADeviceThread(try ALSAPCM(device: device, stream: SND_PCM_STREAM_PLAYBACK,
                                                   latencyMicroseconds: latency + Self.frameMicroseconds))
        self.maximumQueued = maximumQueued
        let target = max(Self.minimumTargetSamples, Int(latency) / 1000 * VoiceFormat.sampleRate / 1000 / 2)
        state.withLock { $0.delayKeeper = PlaybackDelayKeeper(target: target, slack: Self.minimumTargetSamples) }
    }

    static let frameMicroseconds = UInt32(VoiceFormat.samplesPerFrame * 1_000_000 / VoiceFormat.sampleRate)
    /// The least delay aimed at: 10 ms of margin for the playout thread's wake-ups and the
    /// sound server's periods (5 ms underran through PulseAudio).
    static let minimumTargetSamples = VoiceFormat.sampleRate / 100

    /// The device's clock paces the playout (see ``PlaybackDelayKeeper/playoutCorrection``).
    public var playoutCorrectionNanoseconds: Int64 { state.withLock { $0.delayKeeper.playoutCorrection } }
    public var hasClock: Bool { true }

    /// Frames dropped because the device was too far behind, or to shrink a standing queue.
    public var framesDropped: Int { state.withLock { $0.dropped } }
    private let clock = MonotonicClock()

    /// Queues samples for playback; throws the device's error from an earlier write.
    public func write(_ samples: [Int16]) throws {
        let loudness = StandingQueueTrimmer.loudness(samples), now = clock.nowNanoseconds()
        let accepted = try state.withLock { current throws -> Bool in
            if let error = current.error { throw error }
            guard current.queued < maximumQueued, !current.trimmer.drops(queued: current.queued, loudness: loudness, nowNanoseconds: now) else {
                current.dropped += 1
                return false
            }
            current.queued += 1
            return true
        }
        guard accepted else { return }
        let state = state
        device.write(samples, adjusted: { [clock] delay in
            state.withLock { $0.delayKeeper.step(delay: delay, loudness: loudness, frameLength: samples.count, nowNanoseconds: clock.nowNanoseconds()) }
        }) { error in
            state.withLock { current in
                current.queued -= 1
                if let error, current.error == nil { current.error = error }
            }
        }
    }

    /// Plays out what is queued.
    public func finish() throws {
        device.drain()
        if let error = state.withLock({ $0.error }) { throw error }
    }

    /// What the playout thread and the device thread share.
    final class LockedState: @unchecked Sendable {
        struct Counters {
            var queued = 0
            var dropped = 0
            var trimmer = StandingQueueTrimmer()
            var delayKeeper = PlaybackDelayKeeper(target: 0)
            var error: AudioDeviceError?
        }

        private let lock = NSLock()
        private var counters = Counters()

        func withLock<Result>(_ body: (inout Counters) throws -> Result) rethrows -> Result {
            lock.lock()
            defer { lock.unlock() }
            return try body(&counters)
        }
    }
}
