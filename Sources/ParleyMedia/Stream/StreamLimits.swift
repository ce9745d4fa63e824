/// The ranges of the numbers `parley stream send/receive/benchmark` take on the command
/// line. They are checked where the command line is parsed (a usage error, exit code 2);
/// the conversions below never trap whatever they are given.
public enum StreamLimits {
    /// The longest `--duration`: one year.
    public static let maximumDurationSeconds: Double = 365 * 24 * 3600
    /// `parley stream benchmark --audio-seconds/--video-seconds/--latency-seconds` (each
    /// holds its media in memory: 600 s of audio is about 55 MB).
    public static let benchmarkSecondsRange: ClosedRange<Double> = 1 ... 600

    /// Why `seconds` cannot be the value of `option` as a duration (nil when it can): it
    /// must be a finite number above 0 and at most a year.
    public static func durationProblem(_ seconds: Double, option: String) -> String? {
        guard seconds.isFinite, seconds > 0, seconds <= maximumDurationSeconds else {
            return "\(option) must be a number of seconds above 0 and at most \(Int(maximumDurationSeconds)) (a year)"
        }
        return nil
    }

    /// Why `seconds` is not a finite number in `range` (nil when it is).
    public static func secondsProblem(_ seconds: Double, option: String, in range: ClosedRange<Double>) -> String? {
        guard seconds.isFinite, range.contains(seconds) else {
            return "\(option) must be a number of seconds from \(range.lowerBound.formatted) to \(range.upperBound.formatted)"
        }
        return nil
    }

    /// `seconds` in nanoseconds, clamped to 0...a year (NaN counts as 0): never traps.
    public static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }   // also NaN
        return UInt64(min(seconds, maximumDurationSeconds) * 1e9)
    }
}

private extension Double {
    /// 1 rather than 1.0, 0.5 as it is.
    var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}
