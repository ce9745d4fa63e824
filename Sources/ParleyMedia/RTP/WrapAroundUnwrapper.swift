/// Extends a wrapping counter (16-bit RTP sequence numbers, 32-bit RTP timestamps)
/// to 64 bits. Each value is placed nearest to the highest value seen so far, so
/// wrap-around and reordering of less than half the range are both handled; a
/// packet older than the first one unwraps to a negative value.
public struct WrapAroundUnwrapper<Value: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    /// The highest unwrapped value so far, nil before the first.
    public private(set) var highest: Int64?

    public init() {}

    /// The 64-bit value of `value`; updates the highest value seen.
    public mutating func unwrap(_ value: Value) -> Int64 {
        let unwrapped = peek(value)
        if unwrapped > highest ?? .min { highest = unwrapped }
        return unwrapped
    }

    /// The 64-bit value of `value` without recording it.
    public func peek(_ value: Value) -> Int64 {
        guard let highest else { return Int64(value) }
        let highestLow = Value(truncatingIfNeeded: highest)
        let forward = value &- highestLow
        let range = Int64(1) << Value.bitWidth
        var delta = Int64(forward)
        if delta >= range / 2 { delta -= range }
        // Each value moves the highest by at most half the range: a hostile source needs
        // billions of packets to reach the end of Int64, and then it wraps, never traps.
        return highest &+ delta
    }
}

/// 16-bit RTP sequence numbers to 64 bits.
public typealias RTPSequenceUnwrapper = WrapAroundUnwrapper<UInt16>
/// 32-bit RTP timestamps to 64 bits.
public typealias RTPTimestampUnwrapper = WrapAroundUnwrapper<UInt32>
