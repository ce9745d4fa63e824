import Foundation
import Synchronization
import Testing
@testable import ParleyMedia

/// A clock that jumps to each deadline instead of waiting, and records them.
final class ManualClock: MediaClock {
    private let state = Mutex<(now: UInt64, sleeps: [UInt64])>((1_000_000, []))

    func nowNanoseconds() -> UInt64 { state.withLock { $0.now } }

    func sleep(untilNanoseconds deadline: UInt64) async throws {
        state.withLock { state in
            state.sleeps.append(deadline)
            state.now = max(state.now, deadline)
        }
    }

    var sleeps: [UInt64] { state.withLock { $0.sleeps } }
}

@Suite("Real-time paced sources and file sinks")
struct PacedSourceTests {
    @Test func pacerDeadlinesDoNotDrift() async throws {
        let clock = ManualClock()
        var pacer = RealTimePacer(clock: clock, framesPerSecondNumerator: 30000, framesPerSecondDenominator: 1001)
        var times: [UInt64] = []
        for _ in 0 ... 3000 { times.append(try await pacer.waitForNextFrame()) }
        #expect(times[0] == 1_000_000)
        #expect(times[1] - times[0] == 33_366_666)
        // Frame 3000 is due exactly 100.1 s after the first.
        #expect(times[3000] - times[0] == 100_100_000_000)
    }

    /// frames × 1001e9 outgrows 64 bits after 18.4 million frames at 30000/1001 fps (a week
    /// of a looping source), and after 18 thousand with a denominator of a million.
    @Test func pacerOffsetsStayExactPastSixtyFourBits() {
        let ntsc = RealTimePacer(clock: ManualClock(), framesPerSecondNumerator: 30000, framesPerSecondDenominator: 1001)
        #expect(ntsc.offset(ofFrame: 3000) == 100_100_000_000)
        #expect(ntsc.offset(ofFrame: 20_000_000) == 667_333_333_333_333)   // 2.002e19 / 30000, rounded down
        #expect(ntsc.offset(ofFrame: .max) == .max)
        let odd = RealTimePacer(clock: ManualClock(), framesPerSecondNumerator: 999_999, framesPerSecondDenominator: 1_000_000)
        #expect(odd.offset(ofFrame: 1_000_000) == 1_000_001_000_001_000)
    }

    @Test func testPatternSourceIsPacedAndCounts() async throws {
        let clock = ManualClock()
        let source = TestPatternSource(width: 160, height: 120, frameRate: 25, frameLimit: 5, clock: clock)
        var frames: [CapturedVideoFrame] = []
        while let frame = try await source.nextFrame() { frames.append(frame) }
        #expect(frames.map(\.index) == [0, 1, 2, 3, 4])
        #expect(frames.map { source.generator.readFrameNumber(from: $0.frame) } == [0, 1, 2, 3, 4])
        #expect(frames.map { $0.captureTime - frames[0].captureTime } == [0, 40, 80, 120, 160].map { UInt64($0) * 1_000_000 })
    }

    @Test func testPatternSourceRunsOnTheMonotonicClock() async throws {
        let source = TestPatternSource(width: 64, height: 48, frameRate: 100, frameLimit: 11)
        let clock = MonotonicClock()
        let start = clock.nowNanoseconds()
        var count = 0
        while try await source.nextFrame() != nil { count += 1 }
        let elapsed = Double(clock.nowNanoseconds() - start) / 1e9
        #expect(count == 11)
        #expect(elapsed >= 0.099)   // 10 periods of 10 ms after the first frame
    }

    @Test func wavSourceGivesPaddedTwentyMillisecondFramesAndLoops() async throws {
        let path = MediaFileTests.temporaryPath("mic.wav")
        try WAVFile.write(PCMAudio(sampleRate: 48000, channels: 1, samples: (0 ..< 2400).map { Int16($0 % 1000 + 1) }), to: path)
        let clock = ManualClock()
        let source = try WAVFileSource(path: path, clock: clock)
        var frames: [(samples: [Int16], captureTime: UInt64)] = []
        while let frame = try await source.nextFrame() { frames.append(frame) }
        #expect(frames.count == 3)
        #expect(frames.allSatisfy { $0.samples.count == 960 })
        #expect(frames[2].samples[479] != 0 && frames[2].samples[480...].allSatisfy { $0 == 0 })
        #expect(frames[2].captureTime - frames[0].captureTime == 40_000_000)
        let looping = try WAVFileSource(path: path, loops: true, clock: clock)
        for _ in 0 ..< 3 { _ = try await looping.nextFrame() }
        let again = try await looping.nextFrame()
        #expect(again?.samples.first == 1)
    }

    @Test func wavSourceRefusesOtherFormatsWithAConversion() throws {
        let path = MediaFileTests.temporaryPath("cd.wav")
        try WAVFile.write(PCMAudio(sampleRate: 44100, channels: 2, samples: [0, 0, 1, 1]), to: path)
        let error = #expect(throws: MediaFileError.self) { try WAVFileSource(path: path) }
        #expect(error?.description.contains("-ar 48000 -ac 1") == true)
    }

    @Test func y4mSourceUsesTheFileRateAndLoops() async throws {
        let path = MediaFileTests.temporaryPath("loop.y4m")
        let pattern = TestPatternGenerator(width: 64, height: 48)
        do {
            let sink = try Y4MFileSink(path: path, width: 64, height: 48, frameRate: 50)
            for index in 0 ..< 2 { try sink.write(pattern.frame(index)) }
            try sink.finish()
        }
        let source = try Y4MFileSource(path: path, clock: ManualClock())
        var numbers: [Int?] = []
        var times: [UInt64] = []
        for _ in 0 ..< 5 {
            let frame = try #require(try await source.nextFrame())
            numbers.append(pattern.readFrameNumber(from: frame.frame))
            times.append(frame.captureTime)
        }
        #expect(numbers == [0, 1, 0, 1, 0])
        #expect(times[4] - times[0] == 80_000_000)
    }

    @Test func wavSinkWritesWhatWasPlayed() throws {
        let path = MediaFileTests.temporaryPath("speaker.wav")
        let sink = try WAVFileSink(path: path)
        try sink.write([Int16](repeating: 5, count: 960))
        try sink.write([Int16](repeating: -5, count: 960))
        #expect(!FileManager.default.fileExists(atPath: path), "an unfinished recording must not look complete")
        try sink.finish()
        let audio = try WAVFile.read(path: path)
        #expect(audio.sampleRate == 48000 && audio.channels == 1)
        #expect(audio.samples == [Int16](repeating: 5, count: 960) + [Int16](repeating: -5, count: 960))
    }
}
