import CSpeexDSP

/// Cleans microphone audio before encoding, with speexdsp: acoustic echo cancellation
/// (removes what the speaker played from what the microphone heard) and noise
/// suppression. 48 kHz mono, one 20 ms frame at a time.
public final class VoiceProcessor {
    private let echo: OpaquePointer?
    private let preprocessor: OpaquePointer
    public let echoCancellation: Bool

    /// - Parameters:
    ///   - echoTailMilliseconds: the longest echo path to cancel (speaker → room → microphone).
    ///   - noiseSuppressionDecibels: maximum attenuation of noise (negative, e.g. −30).
    public init(echoCancellation: Bool = true, echoTailMilliseconds: Int = 200, noiseSuppressionDecibels: Int = -30) throws(CodecError) {
        try requireSetting("echoTailMilliseconds", echoTailMilliseconds, in: 20 ... 1000)
        try requireSetting("noiseSuppressionDecibels", noiseSuppressionDecibels, in: -90 ... 0)
        let frame = Int32(VoiceFormat.samplesPerFrame)
        var echo: OpaquePointer?
        if echoCancellation {
            echo = speex_echo_state_init(frame, Int32(VoiceFormat.sampleRate * echoTailMilliseconds / 1000))
            guard let echo else { throw .libraryFailure(library: "speexdsp", operation: "echo canceller", message: "allocation failed") }
            _ = parley_speex_echo_set_rate(echo, Int32(VoiceFormat.sampleRate))
        }
        guard let preprocessor = speex_preprocess_state_init(frame, Int32(VoiceFormat.sampleRate)) else {
            if let echo { speex_echo_state_destroy(echo) }
            throw .libraryFailure(library: "speexdsp", operation: "preprocessor", message: "allocation failed")
        }
        _ = parley_speex_preprocess_set_denoise(preprocessor, 1)
        _ = parley_speex_preprocess_set_noise_suppress(preprocessor, Int32(noiseSuppressionDecibels))
        if let echo { _ = parley_speex_preprocess_set_echo_state(preprocessor, echo) }
        self.echo = echo
        self.preprocessor = preprocessor
        self.echoCancellation = echoCancellation
    }

    deinit {
        speex_preprocess_state_destroy(preprocessor)
        if let echo { speex_echo_state_destroy(echo) }
    }

    /// Processes one captured frame. `played` is the frame the speaker played at the same
    /// time (the echo reference); pass nil when nothing was played.
    public func process(captured: [Int16], played: [Int16]?) throws(CodecError) -> [Int16] {
        guard captured.count == VoiceFormat.samplesPerFrame else {
            throw .wrongFrameSize(expected: VoiceFormat.samplesPerFrame, actual: captured.count)
        }
        var output = captured
        if let echo {
            let reference = played ?? [Int16](repeating: 0, count: VoiceFormat.samplesPerFrame)
            guard reference.count == VoiceFormat.samplesPerFrame else {
                throw .wrongFrameSize(expected: VoiceFormat.samplesPerFrame, actual: reference.count)
            }
            captured.withUnsafeBufferPointer { microphone in
                reference.withUnsafeBufferPointer { speaker in
                    output.withUnsafeMutableBufferPointer { cleaned in
                        speex_echo_cancellation(echo, microphone.baseAddress, speaker.baseAddress, cleaned.baseAddress)
                    }
                }
            }
        }
        _ = output.withUnsafeMutableBufferPointer { speex_preprocess_run(preprocessor, $0.baseAddress) }
        return output
    }
}
