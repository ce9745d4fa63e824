/// Keeps what a video encoder sends at the rate it is asked for. libvpx's rate control
/// aims at its setting but overshoots it on costly pictures (grain, fast motion: 10–30 %
/// over, seen at 300–400 kb/s on a narrow uplink), and what goes on the wire is what a
/// bottleneck counts. The adjuster measures the encoder's output against its setting each
/// second (seconds with a keyframe aside: one is large by design) and gives the encoder a
/// setting lowered by the smoothed ratio, so that its output meets the target. It never
/// raises the setting above the target: a picture that costs less simply sends less.
/// Pure: no clock, no I/O; times in nanoseconds.
public struct EncoderRateAdjuster: Sendable, Equatable {
    /// Output ÷ setting, smoothed, within 1…2.
    public private(set) var overshoot: Double = 1
    private var windowStart: UInt64?
    private var bytes = 0
    private var sawKeyframe = false
    static let window: UInt64 = 1_000_000_000
    /// The settings VP8 accepts (bits per second).
    static let minimumSetting = 50_000
    static let maximumSetting = 20_000_000

    public init() {}

    /// One encoded frame of `bytes`, made while the encoder was set to `setting` bits per
    /// second. True when it closed a second and the overshoot may have moved (the encoder's
    /// setting is then worth revisiting).
    @discardableResult
    public mutating func frameEncoded(bytes frameBytes: Int, isKeyframe: Bool, setting: Int, nowNanoseconds now: UInt64) -> Bool {
        guard let start = windowStart, now >= start else {
            windowStart = now
            bytes = max(0, frameBytes)
            sawKeyframe = isKeyframe
            return false
        }
        let (sum, overflow) = bytes.addingReportingOverflow(max(0, frameBytes))
        bytes = overflow ? .max : sum
        sawKeyframe = sawKeyframe || isKeyframe
        let elapsed = now - start
        guard elapsed >= Self.window else { return false }
        if !sawKeyframe, setting > 0 {
            let rate = Double(bytes) * 8 / (Double(elapsed) / 1e9)
            let ratio = rate / Double(setting)
            if ratio.isFinite { overshoot = min(2, max(1, 0.5 * overshoot + 0.5 * ratio)) }
        }
        windowStart = now
        bytes = 0
        sawKeyframe = false
        return true
    }

    /// The setting that makes the encoder send about `target` bits per second, within
    /// what VP8 accepts.
    public func setting(forTarget target: Int) -> Int {
        let lowered = Double(max(0, target)) / overshoot
        return Int(min(max(lowered, Double(Self.minimumSetting)), Double(Self.maximumSetting)))
    }
}
