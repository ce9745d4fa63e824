import CALSA
import Foundation

/// A speaker through ALSA: plays 48 kHz mono frames as they come. Writes go to the
/// device's own thread, so the playout loop never blocks on the device; when the device
/// falls behind (its clock is slower, or it stalled) more than `maximumQueued` frames,
/// new frames are dropped so the delay stays bounded, and counted.
public final class ALSAPlaybackSink: AudioSink {
    private let device: ALSADeviceThread
    private let state = LockedState()
    /// Frames waiting for the device before new ones are dropped (10 = 200 ms).
    public let maximumQueued: Int

    /// `latencyMilliseconds`: the device buffer asked of ALSA (10…500).
    public init(device: ALSADevice = .named("default"), maximumQueued: Int = 10,
                latencyMilliseconds: Int = ALSAPCM.defaultLatencyMilliseconds) throws(AudioDeviceError) {
        self.device = ALSADeviceThread(try ALSAPCM(device: device, stream: SND_PCM_STREAM_PLAYBACK,
                                                   latencyMicroseconds: ALSAPCM.microseconds(latencyMilliseconds)))
        self.maximumQueued = maximumQueued
    }

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
        device.write(samples) { error in
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
