/// Keeps what a speaker holds ahead of the sound near a target, sample by sample. Before each
/// frame is written the device says how much it still holds (`snd_pcm_delay`): that is the
/// delay the frame adds to the call. A burst at the start, a stall, or a playout clock a
/// little faster than the device's leaves more there than needed, and it never drains by
/// itself; a playout clock a little slower lets it run dry, and the device underruns (a gap,
/// after which it holds more again).
///
/// So the least delay seen over each `window` is compared with `target`: more than `slack`
/// above it, the excess (at most `maximumStep`) is left out from the front of the next quiet
/// frame — silence between words, inaudible; under half the target, silence is added in
/// front of the next quiet frame to bring it back. A frame that is not quiet takes the step
/// once the need has stood for two windows.
///
/// Within the slack the playout's clock is what moves: ``playoutCorrection`` tells how much
/// later or sooner the next frame should come (a quarter of the last delay's distance from
/// the target, at most ±50 µs a frame: 0.25 %, beyond any two clocks' drift; damped, since a
/// correction shows only in the delay measured a frame later). Measured here: a PulseAudio
/// device ran 0.027 % faster than the monotonic clock, 0.27 ms a second. Pure; samples at
/// 48 kHz, times in nanoseconds.
public struct PlaybackDelayKeeper: Sendable {
    /// The delay aimed at (samples).
    public let target: Int
    /// How far above the target the least delay may stay untouched (samples).
    public let slack: Int
    /// The most left out of or added to one frame (samples).
    public let maximumStep: Int
    /// Mean absolute amplitude under which a frame counts as quiet.
    public let quietLevel: Int
    /// How long a need must stand before it is acted on (nanoseconds).
    public static let window: UInt64 = 250_000_000

    /// The most the playout's clock is moved a frame (nanoseconds).
    public static let maximumCorrection: Int64 = 50_000

    private var since: UInt64?
    private var lastDelay: Int?
    private var least = Int.max

    public init(target: Int, slack: Int = 240, maximumStep: Int = 960, quietLevel: Int = StandingQueueTrimmer.defaultQuietLevel) {
        self.target = max(0, target)
        self.slack = max(0, slack)
        self.maximumStep = max(0, maximumStep)
        self.quietLevel = quietLevel
    }

    /// What to do to the frame about to be written, `frameLength` samples with mean absolute
    /// amplitude `loudness`, with `delay` samples still in the device (nil: it cannot tell)
    /// at `now`: positive, leave out that many samples from its front; negative, add that
    /// many samples of silence in front of it; 0, write it as it is.
    public mutating func step(delay: Int?, loudness: Int, frameLength: Int, nowNanoseconds now: UInt64) -> Int {
        lastDelay = delay
        guard let delay, delay >= 0 else {
            since = nil
            least = .max
            return 0
        }
        let start = since ?? now
        since = start
        least = min(least, delay)
        guard now >= start, now - start >= Self.window else { return 0 }
        let change: Int
        if least - target > slack {
            change = min(least - target, maximumStep, max(0, frameLength - 1))
        } else if least < target / 2 {
            change = -min(target - least, maximumStep)
        } else {
            // Near the target over a whole window: watch the next one afresh.
            since = now
            least = .max
            return 0
        }
        guard loudness < quietLevel || now - start >= 2 * Self.window else { return 0 }
        since = now
        least = .max
        return change
    }

    /// How much later (positive) or sooner (negative) than one frame after the last the next
    /// frame should be written (nanoseconds); 0 while the delay is unknown or beyond the slack.
    public var playoutCorrection: Int64 {
        guard let lastDelay, lastDelay >= 0, abs(lastDelay - target) <= slack else { return 0 }
        let error = Int64(lastDelay - target) * 1_000_000_000 / 48000
        return min(max(error / 4, -Self.maximumCorrection), Self.maximumCorrection)
    }
}
