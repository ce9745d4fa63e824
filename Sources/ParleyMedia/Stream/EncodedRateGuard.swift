/// Keeps a video sender's encoded bit rate at its target when the encoder cannot: at its
/// coarsest quantizer a noisy or busy picture still costs more than a narrow path carries
/// (seen: 1.1–1.2 Mb/s of 640x480 with camera grain against a 360 kb/s target). A leaky
/// bucket: every encoded frame adds its bytes, the target drains it; while it holds more
/// than `allowance` seconds' worth, frames are skipped (the frame rate gives way, as
/// WebRTC's frame dropper does). An encoder that keeps to its target never fills it. Pure.
public struct EncodedRateGuard: Sendable {
    /// Seconds' worth of the target the bucket may hold before frames are skipped.
    public let allowance: Double
    private var level: Double = 0
    private var lastDrain: UInt64?
    public private(set) var framesSkipped: Int64 = 0
    /// Frames skipped in a row at most (half a second at 30 fps): the picture never stops.
    public static let maximumConsecutiveSkips = 15
    private var skippedInARow = 0

    public init(allowance: Double = 0.5) {
        self.allowance = allowance
    }

    /// Whether the frame offered at `now` may be encoded at `target` bits per second (a
    /// skipped one is counted).
    public mutating func allows(nowNanoseconds now: UInt64, target: Int) -> Bool {
        let bytesPerSecond = Double(max(target, 1)) / 8
        if let lastDrain, now > lastDrain {
            level = max(0, level - bytesPerSecond * Double(now - lastDrain) / 1e9)
        }
        if lastDrain.map({ now > $0 }) ?? true { lastDrain = now }
        guard level <= bytesPerSecond * allowance || skippedInARow >= Self.maximumConsecutiveSkips else {
            framesSkipped += 1
            skippedInARow += 1
            return false
        }
        skippedInARow = 0
        return true
    }

    /// A frame of `bytes` was encoded.
    public mutating func encoded(bytes: Int) {
        level += Double(max(bytes, 0))
    }
}
