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

    @Test("A device holding 100 ms more than its 10 ms target is brought down to it, up to a frame at a time, each quarter second")
    func excessIsLeftOut() {
        let (steps, last) = Self.run(seconds: 10, start: 480 + 4800)
        // A frame keeps one sample at least: 5 × 959, and the 5 left over are within the slack.
        #expect(steps.map(\.step) == [959, 959, 959, 959, 959], "\(steps)")
        #expect(steps.map(\.frame) == [13, 26, 39, 52, 65])   // after a quarter second standing
        #expect(last == 485)
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

    @Test("Loud frames keep their samples while a quiet one may come; after half a second the step is taken anyway")
    func quietFramesFirst() {
        // Loud except every 20th frame: the first step waits for frame 20 (quiet).
        let waited = Self.run(seconds: 2, start: 480 + 2400, loudness: { $0 % 20 == 0 ? 10 : 5000 }).steps
        #expect(waited.first?.frame == 20, "\(waited)")
        let loud = Self.run(seconds: 2, start: 480 + 2400, loudness: { _ in 5000 }).steps
        #expect(loud.first?.frame == 25, "\(loud)")
    }

    @Test("Within the slack the playout's clock moves instead: later while the device holds more, sooner while less, at most 50 µs a frame")
    func playoutCorrection() {
        var keeper = PlaybackDelayKeeper(target: 480)
        #expect(keeper.playoutCorrection == 0, "nothing measured yet")
        for (delay, expected) in [(480, Int64(0)), (488, 41_666), (472, -41_666), (600, 50_000), (360, -50_000), (480 + 300, 0), (nil, 0)] as [(Int?, Int64)] {
            _ = keeper.step(delay: delay, loudness: 0, frameLength: 960, nowNanoseconds: 0)
            #expect(keeper.playoutCorrection == expected, "delay \(String(describing: delay))")
        }
    }

    @Test("A device that cannot tell its delay is left alone")
    func unknownDelay() {
        var keeper = PlaybackDelayKeeper(target: 480)
        for frame in 0 ..< 100 {
            #expect(keeper.step(delay: nil, loudness: 0, frameLength: 960, nowNanoseconds: UInt64(frame) * 20_000_000) == 0)
        }
    }
}
