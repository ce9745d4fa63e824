import CALSA

/// A microphone through ALSA: 20 ms frames of 48 kHz mono. Devices that do not block
/// (ALSA's file plugin) are paced by the clock; real devices pace themselves. Reads block
/// on the device's own thread, not on the caller's.
public final class ALSACaptureSource: AudioSource {
    private let device: ALSADeviceThread
    private var pacer: RealTimePacer?
    private let clock: any MediaClock

    /// `paced`: wait for each frame's deadline on `clock` (for devices that return at once).
    /// `latencyMilliseconds`: the device buffer asked of ALSA (10…500).
    public init(device: ALSADevice = .named("default"), paced: Bool = false, clock: any MediaClock = MonotonicClock(),
                latencyMilliseconds: Int = ALSAPCM.defaultLatencyMilliseconds) throws(AudioDeviceError) {
        self.device = ALSADeviceThread(try ALSAPCM(device: device, stream: SND_PCM_STREAM_CAPTURE,
                                                   latencyMicroseconds: ALSAPCM.microseconds(latencyMilliseconds)))
        self.clock = clock
        pacer = paced ? RealTimePacer(clock: clock, framesPerSecondNumerator: VoiceFormat.sampleRate / VoiceFormat.samplesPerFrame) : nil
    }

    /// The next 20 ms; its capture time is when its last sample was in (the pacer's
    /// deadline for paced devices, the end of the read for real ones).
    public func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)? {
        let deadline = try await pacer?.waitForNextFrame()
        let samples = try await device.read(count: VoiceFormat.samplesPerFrame)
        return (samples, deadline ?? clock.nowNanoseconds())
    }

    /// The same, blocking the calling thread (a media thread of its own) on the device.
    public func nextFrameBlocking() throws -> (samples: [Int16], captureTime: UInt64)? {
        let deadline = try pacer?.waitForNextFrameBlocking()
        let samples = try device.readBlocking(count: VoiceFormat.samplesPerFrame)
        return (samples, deadline ?? clock.nowNanoseconds())
    }
}
