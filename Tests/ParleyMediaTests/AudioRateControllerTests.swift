import Foundation
import ParleyMedia
import Testing

@Suite("Opus's rate in a call (audio yields last)")
struct AudioRateControllerTests {
    static let second: UInt64 = 1_000_000_000

    @Test("Configured rate down to 100 kb/s of estimate, 24 kb/s under it, 16 kb/s under 60, never above the configured rate",
          arguments: [
              (configured: 32_000, estimate: nil as Int?, expected: 32_000),
              (configured: 32_000, estimate: 1_000_000, expected: 32_000),
              (configured: 32_000, estimate: 100_000, expected: 32_000),
              (configured: 32_000, estimate: 99_999, expected: 24_000),
              (configured: 32_000, estimate: 60_000, expected: 24_000),
              (configured: 32_000, estimate: 59_999, expected: 16_000),
              (configured: 64_000, estimate: 80_000, expected: 24_000),
              (configured: 20_000, estimate: 80_000, expected: 20_000),
              (configured: 16_000, estimate: 10_000, expected: 16_000),
          ])
    func stepsDownAtOnce(configured: Int, estimate: Int?, expected: Int) {
        var controller = AudioRateController(configured: configured)
        let changed = controller.pathEstimated(estimate, nowNanoseconds: 0)
        #expect(controller.bitrate == expected)
        #expect(changed == (expected == configured ? nil : expected))
    }

    @Test("Back up one level at a time, after 2 s at 1.3 x the level's threshold; a dip restarts the 2 s")
    func climbsBackSlowly() {
        var controller = AudioRateController(configured: 32_000)
        #expect(controller.pathEstimated(40_000, nowNanoseconds: 0) == 16_000)
        #expect(controller.pathEstimated(70_000, nowNanoseconds: 1 * Self.second) == nil, "under 1.3 x 60 kb/s")
        #expect(controller.pathEstimated(80_000, nowNanoseconds: 2 * Self.second) == nil, "the 2 s start")
        #expect(controller.pathEstimated(70_000, nowNanoseconds: 3 * Self.second) == nil, "a dip")
        #expect(controller.pathEstimated(80_000, nowNanoseconds: 4 * Self.second) == nil)
        #expect(controller.pathEstimated(500_000, nowNanoseconds: 5 * Self.second) == nil)
        #expect(controller.pathEstimated(500_000, nowNanoseconds: 6 * Self.second) == 24_000, "one level, not two")
        #expect(controller.pathEstimated(500_000, nowNanoseconds: 7 * Self.second) == nil, "2 s again at the new level")
        #expect(controller.pathEstimated(500_000, nowNanoseconds: 8 * Self.second) == nil)
        #expect(controller.pathEstimated(500_000, nowNanoseconds: 9 * Self.second) == 32_000)
        #expect(controller.pathEstimated(nil, nowNanoseconds: 10 * Self.second) == nil)
        #expect(controller.bitrate == 32_000)
    }

    @Test("No estimate any more (the video stopped): back to the configured rate, a level each 2 s")
    func noEstimateClimbs() {
        var controller = AudioRateController(configured: 32_000)
        #expect(controller.pathEstimated(50_000, nowNanoseconds: 0) == 16_000)
        #expect(controller.pathEstimated(nil, nowNanoseconds: Self.second) == nil)
        #expect(controller.pathEstimated(nil, nowNanoseconds: 3 * Self.second) == 24_000)
        #expect(controller.pathEstimated(nil, nowNanoseconds: 5 * Self.second) == nil)
        #expect(controller.pathEstimated(nil, nowNanoseconds: 7 * Self.second) == 32_000)
    }

    @Test("The Opus sender codes at the rate it is set to, and says so in its statistics")
    func senderFollows() throws {
        let sender = try AudioStreamSender(description: .opus(port: 9), canonicalName: "rate")
        let tone = (0 ..< 960).map { Int16(8000 * sin(Double($0) * 0.2)) }
        var loud = 0, quiet = 0
        for index in 0 ..< 50 { loud += try sender.send(samples: tone, captureTime: UInt64(index) * 20_000_000, nowNanoseconds: 0).first?.count ?? 0 }
        try sender.setBitrate(16_000)
        #expect(sender.statistics(nowNanoseconds: 0).targetBitrate == 16_000)
        for index in 50 ..< 100 { quiet += try sender.send(samples: tone, captureTime: UInt64(index) * 20_000_000, nowNanoseconds: 0).first?.count ?? 0 }
        #expect(quiet < loud * 3 / 4, "\(quiet) bytes at 16 kb/s against \(loud) at 32")
        #expect(throws: (any Error).self) { try sender.setBitrate(8_000) }
    }
}
