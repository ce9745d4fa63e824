import ParleyMedia
import Testing

@Suite("Speaker queue trimming (a standing queue is delay)")
struct StandingQueueTrimmerTests {
    /// Frames every 20 ms for `seconds`, the queue `queued(frame)` deep, `loud(frame)`
    /// loudness; returns the frames dropped.
    static func run(seconds: Double, queued: (Int) -> Int, loudness: (Int) -> Int = { _ in 0 }) -> [Int] {
        var trimmer = StandingQueueTrimmer()
        var dropped: [Int] = []
        var extra = 0   // each drop shrinks the queue by one from then on
        for frame in 0 ..< Int(seconds * 50) {
            let depth = max(0, queued(frame) - extra)
            if trimmer.drops(queued: depth, loudness: loudness(frame), nowNanoseconds: UInt64(frame) * 20_000_000) {
                dropped.append(frame)
                extra += 1
            }
        }
        return dropped
    }

    @Test("A queue of 7 that never drains is trimmed to 1, a frame each half second, quiet ones first")
    func standingQueueIsTrimmed() {
        let dropped = Self.run(seconds: 10, queued: { _ in 7 })
        #expect(dropped.count == 6, "\(dropped)")
        #expect(dropped.first == 25)   // after half a second standing
        #expect(zip(dropped, dropped.dropFirst()).allSatisfy { $1 - $0 == 25 })
    }

    @Test("A queue that dips below 2 now and then, as jitter makes it, is left alone")
    func jitterIsNotTrimmed() {
        #expect(Self.run(seconds: 20, queued: { frame in frame % 20 == 0 ? 1 : 4 }).isEmpty)
        #expect(Self.run(seconds: 20, queued: { _ in 1 }).isEmpty)
    }

    @Test("Loud frames are kept while a quiet one may come; after another half second one goes anyway")
    func quietFramesFirst() {
        // Loud except every 10th frame: the first drop waits for frame 30 (quiet).
        let dropped = Self.run(seconds: 2, queued: { _ in 3 }, loudness: { $0 % 10 == 0 ? 10 : 5000 })
        #expect(dropped.first == 30, "\(dropped)")
        // All loud: the first drop comes a second after the queue began to stand.
        #expect(Self.run(seconds: 2, queued: { _ in 3 }, loudness: { _ in 5000 }).first == 50)
        #expect(StandingQueueTrimmer.loudness([]) == 0 && StandingQueueTrimmer.loudness([-32768, 32767]) == 32767)
    }
}
