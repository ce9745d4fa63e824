import CALSA

/// A microphone through ALSA: 20 ms frames of 48 kHz mono. Devices that do not block
/// (ALSA's file plugin) are paced by the clock; real devices pace themselves.
public final class ALSACaptureSource: AudioSource {
    private let pcm: ALSAPCM
    private var pacer: RealTimePacer?
    private let clock: any MediaClock

    /// `paced`: wait for each frame's deadline on `clock` (for devices that return at once).
    public init(device: ALSADevice = .named("default"), paced: Bool = false, clock: any MediaClock = MonotonicClock()) throws(AudioDeviceError) {
        pcm = try ALSAPCM(device: device, stream: SND_PCM_STREAM_CAPTURE)
        self.clock = clock
        pacer = paced ? RealTimePacer(clock: clock, framesPerSecondNumerator: VoiceFormat.sampleRate / VoiceFormat.samplesPerFrame) : nil
    }

    public func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)? {
        let captureTime = try await pacer?.waitForNextFrame() ?? clock.nowNanoseconds()
        return (try pcm.read(count: VoiceFormat.samplesPerFrame), captureTime)
    }
}
