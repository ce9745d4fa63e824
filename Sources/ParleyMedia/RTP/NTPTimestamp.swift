/// A 64-bit NTP timestamp (RFC 3550 §4): seconds since 1900 and a 32-bit fraction.
public struct NTPTimestamp: Equatable, Hashable, Sendable {
    public var seconds: UInt32
    public var fraction: UInt32

    public init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
    }

    /// From seconds since 1900 (fractional).
    public init(secondsSince1900 value: Double) {
        let whole = value.rounded(.down)
        seconds = UInt32(truncatingIfNeeded: Int64(whole))
        fraction = UInt32(min((value - whole) * 4_294_967_296.0, 4_294_967_295.0))
    }

    /// The middle 32 bits (16.16 fixed point), as used in LSR and round-trip computations.
    public var middle32: UInt32 { seconds << 16 | fraction >> 16 }

    /// Seconds since 1900 as a Double.
    public var secondsSince1900: Double { Double(seconds) + Double(fraction) / 4_294_967_296.0 }
}
