import Testing

/// The speech analysis of the end-to-end call tests on a made-up recording (no daemons).
@Suite("Media analysis")
struct MediaAnalysisTests {
    /// What alice recorded of bob in a failing audioAndVideoBothWays: clean speech after the
    /// codec delay, but the jitter buffer grew a frame at a time under load, by 60 ms in
    /// all within half a second. Chunks searched only within ±40 ms of the first lag failed
    /// from the third shift on.
    @Test func aJitterBufferThatGrowsByThreeFrames() {
        let input = MediaFixtures.speech(seconds: 8)
        var output = [Int16](repeating: 0, count: 7 * 48000)
        let segments: [(frame: Int, lag: Int)] = [(0, 309), (39, 1269), (42, 2229), (63, 3189)]
        for (index, segment) in segments.enumerated() {
            let end = index + 1 < segments.count ? segments[index + 1].frame * 960 : output.count
            for sample in segment.frame * 960 ..< end where (0 ..< input.count).contains(sample - segment.lag) {
                output[sample] = input[sample - segment.lag]
            }
        }
        #expect(MediaAnalysis.speechArrived(Array(input.prefix(6 * 48000)), output, "growing jitter buffer", maxLag: 48000))
        let other = Array(MediaFixtures.speech(seconds: 9.3).dropFirst(62_400))
        #expect(!MediaAnalysis.speechArrived(Array(other.prefix(6 * 48000)), output, "someone else", maxLag: 48000))
    }
}
