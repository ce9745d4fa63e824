import Foundation

/// Parley stores and sends times as integer milliseconds since the Unix epoch.
///
/// The conversions never trap: a time outside what `Int64` milliseconds can
/// hold is clamped to the nearest end, and NaN counts as the epoch.
extension Date {
    public var millisecondsSince1970: Int64 { Int64(clampingMilliseconds: timeIntervalSince1970 * 1000) }

    public init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Milliseconds since the epoch as the wire's unsigned field (0 before 1970).
    public var wireTimestamp: UInt64 { UInt64(max(0, millisecondsSince1970)) }

    public init(wireTimestamp: UInt64) {
        self.init(millisecondsSince1970: Int64(clamping: wireTimestamp))
    }
}

extension Int64 {
    /// `milliseconds` rounded to the nearest integer and clamped to `Int64`'s range (NaN → 0).
    public init(clampingMilliseconds milliseconds: Double) {
        let rounded = milliseconds.rounded()
        if rounded.isNaN {
            self = 0
        } else if rounded >= 9_223_372_036_854_775_807.0 {  // 2^63: the first Double above Int64.max
            self = .max
        } else if rounded <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int64(rounded)
        }
    }
}
