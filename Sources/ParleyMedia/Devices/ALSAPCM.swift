import CALSA

/// Why an ALSA device could not be used.
public enum AudioDeviceError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(device: String, reason: String)
    case cannotConfigure(device: String, reason: String)
    case ioFailed(device: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(device, reason):
            return "cannot open ALSA device '\(device)': \(reason) (without a sound card, use a WAV file, a PulseAudio null sink, or ALSA's file plugin — see docs/MEDIA.md)"
        case let .cannotConfigure(device, reason):
            return "ALSA device '\(device)' does not take 48 kHz mono 16-bit: \(reason)"
        case let .ioFailed(device, reason):
            return "ALSA device '\(device)' failed: \(reason)"
        }
    }
}

/// Where an ALSA PCM comes from: a device name ("default", "hw:0", "file:FILE=out.raw,FORMAT=raw")
/// or a configuration text defining the PCM `name` (used for file-backed microphones).
public enum ALSADevice: Equatable, Sendable {
    case named(String)
    case configured(name: String, configuration: String)

    /// A capture device reading raw 48 kHz mono S16_LE samples from `path` (not paced:
    /// pair it with a pacer). The file must be longer than the capture.
    public static func rawFileMicrophone(path: String) -> ALSADevice {
        .configured(name: "parley_file_mic", configuration: """
            pcm.parley_file_mic { type file slave.pcm { type null } file "/dev/null" infile "\(path)" format raw }
            """)
    }

    var label: String {
        switch self {
        case let .named(name): name
        case let .configured(name, _): name
        }
    }
}

/// One open ALSA PCM, 48 kHz mono S16_LE, interleaved.
public final class ALSAPCM {
    /// The device buffer asked of ALSA unless told otherwise (the `audio_latency` key).
    public static let defaultLatencyMilliseconds = 60
    /// The device latencies that may be asked for.
    public static let latencyRange = 10 ... 500

    /// `milliseconds` within ``latencyRange``, in microseconds.
    static func microseconds(_ milliseconds: Int) -> UInt32 {
        UInt32(min(max(milliseconds, latencyRange.lowerBound), latencyRange.upperBound) * 1000)
    }

    let device: ALSADevice
    private let pcm: OpaquePointer
    private let configuration: OpaquePointer?

    init(device: ALSADevice, stream: snd_pcm_stream_t, latencyMicroseconds: UInt32 = 60_000) throws(AudioDeviceError) {
        var handle: OpaquePointer?
        var configuration: OpaquePointer?
        let status: Int32
        switch device {
        case let .named(name):
            status = snd_pcm_open(&handle, name, stream, 0)
        case let .configured(name, text):
            status = parley_snd_pcm_open_text(&handle, &configuration, name, text, stream)
        }
        guard status >= 0, let handle else {
            throw .cannotOpen(device: device.label, reason: String(cString: snd_strerror(status)))
        }
        let configured = snd_pcm_set_params(
            handle, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, UInt32(VoiceFormat.channels),
            UInt32(VoiceFormat.sampleRate), 1, latencyMicroseconds)
        guard configured >= 0 else {
            snd_pcm_close(handle)
            if let configuration { snd_config_delete(configuration) }
            throw .cannotConfigure(device: device.label, reason: String(cString: snd_strerror(configured)))
        }
        self.device = device
        pcm = handle
        self.configuration = configuration
    }

    deinit {
        snd_pcm_close(pcm)
        if let configuration { snd_config_delete(configuration) }
    }

    /// Reads exactly `count` samples (blocking), recovering from overruns.
    func read(count: Int) throws(AudioDeviceError) -> [Int16] {
        var samples = [Int16](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = samples.withUnsafeMutableBufferPointer { buffer in
                snd_pcm_readi(pcm, buffer.baseAddress! + filled, snd_pcm_uframes_t(count - filled))
            }
            if got < 0 {
                guard snd_pcm_recover(pcm, Int32(got), 1) >= 0 else {
                    throw .ioFailed(device: device.label, reason: String(cString: snd_strerror(Int32(got))))
                }
                continue
            }
            filled += got
        }
        return samples
    }

    /// Writes all samples (blocking), recovering from underruns.
    func write(_ samples: [Int16]) throws(AudioDeviceError) {
        var written = 0
        while written < samples.count {
            let done = samples.withUnsafeBufferPointer { buffer in
                snd_pcm_writei(pcm, buffer.baseAddress! + written, snd_pcm_uframes_t(samples.count - written))
            }
            if done < 0 {
                guard snd_pcm_recover(pcm, Int32(done), 1) >= 0 else {
                    throw .ioFailed(device: device.label, reason: String(cString: snd_strerror(Int32(done))))
                }
                continue
            }
            written += done
        }
    }

    /// Samples the device holds ahead of what is audible now (what a sample written now
    /// waits before it is heard); nil when the device cannot tell (not started, or in an
    /// error state).
    func delay() -> Int? {
        var frames: snd_pcm_sframes_t = 0
        guard snd_pcm_delay(pcm, &frames) >= 0, frames >= 0 else { return nil }
        return Int(frames)
    }

    /// Plays what is buffered, then stops.
    func drain() {
        snd_pcm_drain(pcm)
    }
}
