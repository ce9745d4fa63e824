/// A WAV file (48 kHz mono 16-bit) as a live microphone: 20 ms frames paced in real time
/// by a monotonic clock, optionally looping; the last partial frame is padded with silence.
public final class WAVFileSource: AudioSource {
    public let audio: PCMAudio
    public let loops: Bool
    private var pacer: RealTimePacer
    private var position = 0

    public init(path: String, loops: Bool = false, clock: any MediaClock = MonotonicClock()) throws(MediaFileError) {
        let audio = try WAVFile.read(path: path)
        guard audio.sampleRate == VoiceFormat.sampleRate, audio.channels == VoiceFormat.channels else {
            throw .unsupported(
                path: path, what: "\(audio.sampleRate) Hz with \(audio.channels) channels (calls use 48000 Hz mono)",
                conversion: "ffmpeg -i \(path) -c:a pcm_s16le -ar 48000 -ac 1 out.wav")
        }
        guard !audio.samples.isEmpty else { throw .malformed(path: path, reason: "no samples") }
        self.audio = audio
        self.loops = loops
        pacer = RealTimePacer(clock: clock, framesPerSecondNumerator: VoiceFormat.sampleRate / VoiceFormat.samplesPerFrame)
    }

    public func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)? {
        guard let samples = takeFrame() else { return nil }
        return (samples, try await pacer.waitForNextFrame())
    }

    public func nextFrameBlocking() throws -> (samples: [Int16], captureTime: UInt64)? {
        guard let samples = takeFrame() else { return nil }
        return (samples, try pacer.waitForNextFrameBlocking())
    }

    private func takeFrame() -> [Int16]? {
        if position >= audio.samples.count {
            guard loops else { return nil }
            position = 0
        }
        let end = min(position + VoiceFormat.samplesPerFrame, audio.samples.count)
        var samples = Array(audio.samples[position ..< end])
        samples += [Int16](repeating: 0, count: VoiceFormat.samplesPerFrame - samples.count)
        position = end
        return samples
    }
}
