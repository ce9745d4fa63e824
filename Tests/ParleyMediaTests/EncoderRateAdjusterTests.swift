import Testing
@testable import ParleyMedia

/// The setting an overshooting encoder is given so that its output meets the target.
@Suite("Encoder rate adjuster")
struct EncoderRateAdjusterTests {
    /// `seconds` of 30 frames a second, each `bytes` long, at `setting`; frame 0 a keyframe when asked.
    static func feed(_ adjuster: inout EncoderRateAdjuster, seconds: Int, from second: Int = 0, bytes: Int, setting: Int, keyframeFirst: Bool = false) {
        for frame in 0 ..< seconds * 30 {
            let now = UInt64(second * 30 + frame) * 33_333_334
            adjuster.frameEncoded(bytes: bytes, isKeyframe: keyframeFirst && frame == 0, setting: setting, nowNanoseconds: now)
        }
    }

    @Test("An encoder 25 % over its setting is set 25 % lower, within a few seconds; one under it keeps the target")
    func lowersTheSettingByTheOvershoot() {
        var adjuster = EncoderRateAdjuster()
        #expect(adjuster.setting(forTarget: 400_000) == 400_000)
        // 2083 bytes × 30 × 8 ≈ 500 kb/s at a 400 kb/s setting: ratio 1.25.
        Self.feed(&adjuster, seconds: 6, bytes: 2083, setting: 400_000)
        #expect(abs(adjuster.overshoot - 1.25) < 0.02, "\(adjuster.overshoot)")
        #expect(abs(adjuster.setting(forTarget: 400_000) - 320_000) < 6_000)
        var under = EncoderRateAdjuster()
        Self.feed(&under, seconds: 6, bytes: 1000, setting: 400_000)
        #expect(under.overshoot == 1)
        #expect(under.setting(forTarget: 400_000) == 400_000)
    }

    @Test("Seconds with a keyframe are not counted; the ratio is bounded; tiny targets keep VP8's minimum")
    func boundsAndKeyframes() {
        var adjuster = EncoderRateAdjuster()
        // Every second starts with a keyframe: nothing is measured.
        for second in 0 ..< 5 { Self.feed(&adjuster, seconds: 1, from: second, bytes: 5000, setting: 400_000, keyframeFirst: true) }
        #expect(adjuster.overshoot == 1)
        var wild = EncoderRateAdjuster()
        Self.feed(&wild, seconds: 10, bytes: 100_000, setting: 100_000)
        #expect(wild.overshoot == 2)
        #expect(wild.setting(forTarget: 60_000) == 50_000)
        #expect(wild.setting(forTarget: -1) == 50_000)
        #expect(wild.setting(forTarget: .max) == 20_000_000, "never past what VP8 accepts, and no trap")
        #expect(EncoderRateAdjuster().setting(forTarget: .max) == 20_000_000)
        wild.frameEncoded(bytes: .max, isKeyframe: false, setting: 0, nowNanoseconds: .max)
        wild.frameEncoded(bytes: .max, isKeyframe: false, setting: .max, nowNanoseconds: 0)
    }
}
