/// Which resolution a video sender encodes at for its target rate: the source's own, half
/// or a quarter of it (each step halves width and height). Below about 0.05 bits per pixel
/// VP8 runs out of quantizer (at its coarsest a detailed or grainy picture still costs more
/// than the target) and every keyframe becomes a burst the path cannot carry; fewer pixels
/// keep the picture whole. Down at once; up only once the target has 30 % to spare for the
/// larger size and has kept it for 2 s, so an estimate that probes does not make it flap
/// (each change costs a keyframe). Pure.
public struct VideoResolutionLadder: Sendable {
    public let width: Int
    public let height: Int
    public let frameRate: Int
    /// Bits per pixel per frame a resolution needs.
    public static let minimumBitsPerPixel = 0.05
    /// Halvings at most (a quarter of the width and height), never below 64 pixels wide.
    public static let maximumSteps = 2
    public private(set) var step = 0
    private var roomSince: UInt64?

    public init(width: Int, height: Int, frameRate: Int) {
        self.width = max(width, 1)
        self.height = max(height, 1)
        self.frameRate = min(max(frameRate, 1), 240)
    }

    /// The bit rate a step needs.
    public func needed(step: Int) -> Double {
        Double(width) * Double(height) / Double(1 << (2 * step)) * Double(frameRate) * Self.minimumBitsPerPixel
    }

    /// The deepest step allowed for this source (its width stays ≥ 64).
    public var deepest: Int {
        var steps = 0
        while steps < Self.maximumSteps, width >> (steps + 1) >= 64, height >> (steps + 1) >= 16 { steps += 1 }
        return steps
    }

    /// The step to encode at now for `target` bits per second.
    public mutating func step(forTarget target: Int, nowNanoseconds now: UInt64) -> Int {
        var wanted = 0
        while wanted < deepest, Double(target) < needed(step: wanted) { wanted += 1 }
        if wanted > step {
            step = wanted
            roomSince = nil
        } else if wanted < step, Double(target) >= 1.3 * needed(step: step - 1) {
            let since = roomSince ?? now
            roomSince = since
            if now >= since, now - since >= 2_000_000_000 {
                step -= 1
                roomSince = nil
            }
        } else {
            roomSince = nil
        }
        return step
    }
}
