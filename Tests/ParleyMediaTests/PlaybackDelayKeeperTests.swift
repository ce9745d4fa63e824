import ParleyMedia
import Testing

@Suite("Speaker delay keeping (what the device holds ahead of the sound is delay)")
struct PlaybackDelayKeeperTests {
    /// A device that holds `start` samples before the first write and `drift(frame)` more
    /// (or less) before each later one, written every 20 ms for `seconds`; each step the
    /// keeper takes changes what it holds from then on. Returns (frame, step) of every step
    /// and the delay before the last write.
    static func run(seconds: Double, start: Int, target: Int = 480, drift: Int = 0, loudness: (Int) -> Int = { _ in 0 })
        -> (steps: [(frame: Int, step: Int)], last: Int) {
        var keeper = PlaybackDelayKeeper(target: target)
        var delay = start
        var steps: [(Int, Int)] = []
        for frame in 0 ..< Int(seconds * 50) {
            let step = keeper.step(delay: delay, loudness: loudness(frame), frameLength: 960, nowNanoseconds: UInt64(frame) * 20_000_000)
            if step != 0 { steps.append((frame, step)) }
            delay = max(0, delay - step + drift)
        }
        return (steps, delay)
    }

    @Test("A device holding 100 ms more than its 10 ms target is brought down to it, 10 ms at a time, each half second")
    func excessIsLeftOut() {
        let (steps, last) = Self.run(seconds: 10, start: 480 + 4800)
        #expect(steps.allSatisfy { $0.step == 480 }, "\(steps)")
        #expect(steps.count == 10)
        #expect(steps.first?.frame == 25)   // after half a second standing
        #expect(last == 480)
    }

    @Test("Within the slack (5 ms) of the target nothing changes")
    func nearTargetIsLeftAlone() {
        #expect(Self.run(seconds: 10, start: 480 + 200).steps.isEmpty)
        #expect(Self.run(seconds: 10, start: 480 - 200).steps.isEmpty)
    }

    @Test("A device running dry (its clock a little faster than the playout) gets silence before it underruns, and stays fed")
    func runningDryIsRefilled() {
        let (steps, last) = Self.run(seconds: 60, start: 480, drift: -2)   // 0.1 ms less each frame
        #expect(!steps.isEmpty && steps.allSatisfy { $0.step < 0 }, "\(steps)")
        #expect(last > 0, "never ran dry")
    }

    @Test("Loud frames keep their samples while a quiet one may come; after a second the step is taken anyway")
    func quietFramesFirst() {
        // Loud except every 40th frame: the first step waits for frame 40 (quiet).
        let waited = Self.run(seconds: 2, start: 480 + 2400, loudness: { $0 % 40 == 0 ? 10 : 5000 }).steps
        #expect(waited.first?.frame == 40, "\(waited)")
        let loud = Self.run(seconds: 2, start: 480 + 2400, loudness: { _ in 5000 }).steps
        #expect(loud.first?.frame == 50, "\(loud)")
    }

    @Test("A device that cannot tell its delay is left alone")
    func unknownDelay() {
        var keeper = PlaybackDelayKeeper(target: 480)
        for frame in 0 ..< 100 {
            #expect(keeper.step(delay: nil, loudness: 0, frameLength: 960, nowNanoseconds: UInt64(frame) * 20_000_000) == 0)
        }
    }
}
