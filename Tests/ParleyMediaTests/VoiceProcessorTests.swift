import Foundation
import Testing
@testable import ParleyMedia

@Suite("Echo cancellation and noise suppression (speexdsp)")
struct VoiceProcessorTests {
    static func energy(_ samples: ArraySlice<Int16>) -> Double {
        samples.reduce(0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))
    }

    /// Deterministic noise in −amplitude...amplitude.
    static func noise(count: Int, amplitude: Int, seed: UInt64) -> [Int16] {
        var state = seed
        return (0 ..< count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int16(Int(state >> 33) % (2 * amplitude + 1) - amplitude)
        }
    }

    @Test func echoOfTheFarEndIsRemovedAndTheNearEndKept() throws {
        let processor = try VoiceProcessor(echoCancellation: true, echoTailMilliseconds: 100, noiseSuppressionDecibels: -15)
        // The speaker plays noise-like far-end speech; the microphone hears it 12 ms later at
        // half level (the room). In the last 2 s the local talker speaks too (a 300 Hz tone).
        let seconds = 8
        let farEnd = Self.noise(count: 48000 * seconds, amplitude: 8000, seed: 1)
        let delay = 576
        let talk = (48000 * (seconds - 2)) ..< farEnd.count
        let nearEnd = (0 ..< farEnd.count).map { talk.contains($0) ? Int16(4000 * sin(2 * Double.pi * 300 * Double($0) / 48000)) : 0 }
        let microphone = (0 ..< farEnd.count).map { ($0 >= delay ? farEnd[$0 - delay] / 2 : 0) &+ nearEnd[$0] }
        var output: [Int16] = []
        for start in stride(from: 0, to: farEnd.count, by: 960) {
            output += try processor.process(
                captured: Array(microphone[start ..< start + 960]), played: Array(farEnd[start ..< start + 960]))
        }
        // Echo return loss enhancement after convergence, before the local talker starts.
        let echoOnly = (48000 * (seconds - 4)) ..< talk.lowerBound
        let erle = 10 * log10(Self.energy(microphone[echoOnly]) / max(Self.energy(output[echoOnly]), 1))
        // During double talk the output should be the local talker.
        let kept = OpusCodecTests.correlation(nearEnd[talk], output[talk])
        print("speexdsp AEC: ERLE \(erle) dB; during double talk the output correlates \(kept) with the near end")
        #expect(erle >= 10)
        #expect(kept >= 0.8)
    }

    @Test func noiseIsSuppressed() throws {
        let processor = try VoiceProcessor(echoCancellation: false)
        let noise = Self.noise(count: 48000 * 3, amplitude: 1500, seed: 7)
        var output: [Int16] = []
        for start in stride(from: 0, to: noise.count, by: 960) {
            output += try processor.process(captured: Array(noise[start ..< start + 960]), played: nil)
        }
        let tail = 48000 ..< noise.count
        let reduction = 10 * log10(Self.energy(noise[tail]) / max(Self.energy(output[tail]), 1))
        print("speexdsp noise suppression: \(reduction) dB on white noise")
        #expect(reduction >= 6)
    }

    @Test func wrongSizesAreRefused() throws {
        let processor = try VoiceProcessor()
        #expect(throws: CodecError.self) { try processor.process(captured: [0, 1], played: nil) }
        #expect(throws: CodecError.self) { try processor.process(captured: [Int16](repeating: 0, count: 960), played: [0]) }
        #expect(throws: CodecError.self) { try VoiceProcessor(noiseSuppressionDecibels: 10) }
    }
}
