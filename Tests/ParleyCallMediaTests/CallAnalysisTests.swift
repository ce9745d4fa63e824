import Testing

/// The speech analysis of the call tests, on recordings made up from the fixture speech:
/// what a call really produces when the receiver's jitter buffer grows by a frame or two
/// (one concealed frame shifts what follows by 20 ms) or the sender's speech started
/// before the receiver's recording. No network, no codec: deterministic.
@Suite("Call speech analysis")
struct CallAnalysisTests {
    static let input = CallFixtures.speech(seconds: 8, pitch: 110, syllablesPerSecond: 3)
    static let spoken = Array(input.prefix(5 * 48000))

    /// 6 s of "recording": from each `(frame, lag)` on, sample n is input sample n − lag
    /// (silence where there is none). A later lag one frame larger is a concealed frame.
    static func recording(_ segments: [(frame: Int, lag: Int)]) -> [Int16] {
        var output = [Int16](repeating: 0, count: 6 * 48000)
        for (index, segment) in segments.enumerated() {
            let end = index + 1 < segments.count ? segments[index + 1].frame * 960 : output.count
            for sample in segment.frame * 960 ..< end where (0 ..< input.count).contains(sample - segment.lag) {
                output[sample] = input[sample - segment.lag]
            }
        }
        return output
    }

    /// Run 5 of the flaky twoWayCallOverUDP: the codec delay (309 samples), then one frame
    /// more from 1.04 s on. The probe (the loudest 100 ms of the first 2 s) lies after the
    /// shift, the envelopes side with before it: the fine search used to end at its
    /// window's edge (1197), off the 20 ms grid, and every chunk failed (0.27, 0.32, …).
    @Test func aConcealedFrameBeforeTheProbe() {
        let heard = Self.recording([(0, 309), (52, 1268)])
        let result = CallAnalysis.speechArrived(Self.spoken, heard, "one frame shift")
        #expect([309, 1268].contains(where: { abs($0 - result.lag) <= 2 }), "lag \(result.lag)")
        #expect(result.passed)
    }

    /// The jitter buffer grown by two frames early in the call (the lag used to come out
    /// as 2157).
    @Test func twoConcealedFramesEarly() {
        let heard = Self.recording([(0, 309), (40, 2229)])
        let result = CallAnalysis.speechArrived(Self.spoken, heard, "two frame shift")
        #expect([309, 2229].contains(where: { abs($0 - result.lag) <= 2 }), "lag \(result.lag)")
        #expect(result.passed)
    }

    /// B started sending before A started recording and its first frame lands in A's
    /// first tick: A's recording starts a frame "ahead" of B's speech (lag −651), until a
    /// concealed frame brings it to +309. The first chunk, correlated only at shifts that
    /// stay inside the recording, used to fail, and with the second (which holds the
    /// shift) that was one chunk too many.
    @Test func speechThatStartedBeforeTheRecording() {
        let heard = Self.recording([(0, -651), (21, 309)])
        let result = CallAnalysis.speechArrived(Self.spoken, heard, "negative lag at the start")
        #expect(result.passed)
        #expect(result.chunks.first.map { $0 >= 0.8 } == true, "\(result.chunks)")
    }

    /// A run of the whole suite: a frame ahead at the start (−651), +309 from 1.1 s on, then
    /// two frames more at once from 3.1 s (+2229): three frames from the overall lag,
    /// which chunks searched only within two frames of it could not reach.
    @Test func aBufferThatGrowsByThreeFramesInAll() {
        let heard = Self.recording([(0, -651), (56, 309), (155, 2229)])
        let result = CallAnalysis.speechArrived(Self.spoken, heard, "three frames in all")
        #expect(result.passed)
    }

    /// Someone else's speech does not pass.
    @Test func otherSpeechDoesNotPass() {
        let other = CallFixtures.speech(seconds: 8, pitch: 160, syllablesPerSecond: 4)
        let heard = [Int16](repeating: 0, count: 309) + other.prefix(6 * 48000 - 309)
        #expect(!CallAnalysis.speechArrived(Self.spoken, heard, "other speech").passed)
    }
}
