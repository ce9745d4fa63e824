import CALSA

/// A speaker through ALSA: plays 48 kHz mono frames as they come.
public final class ALSAPlaybackSink: AudioSink {
    private let pcm: ALSAPCM

    public init(device: ALSADevice = .named("default")) throws(AudioDeviceError) {
        pcm = try ALSAPCM(device: device, stream: SND_PCM_STREAM_PLAYBACK)
    }

    /// Queues samples for playback (blocks while the device buffer is full).
    public func write(_ samples: [Int16]) throws(AudioDeviceError) {
        try pcm.write(samples)
    }

    /// Plays out what is queued.
    public func finish() {
        pcm.drain()
    }
}
