/// The picture size a video sender encodes at: the source's, or halved once or more when the
/// rate it may send cannot carry the source's size. Each step halves width and height (a
/// quarter of the pixels), never below 160x90.
///
/// Once a second (of frames offered to the encoder) it looks at what the encoder did:
/// - **Down a step** when the target leaves fewer than 0.02 bits per pixel per frame
///   (640x480 at 30 fps: under 184 kb/s), or when the picture does not fit the target even
///   coarsely for two seconds in a row: VP8 dropped a fifth of the frames, or its quantizer
///   averaged 47 or more (of 0…63; WebRTC's VP8 high threshold). One second is not enough:
///   the target dips for a moment when the receiver's estimate probes past a bottleneck,
///   and each change of size costs a keyframe that the bottleneck's queue has to carry.
/// - **Up a step** when the larger size would get at least 0.05 bits per pixel per frame
///   (640x480 at 30 fps: 461 kb/s) and at least 1.5 times the target at which it was left
///   (or the picture became easy: a quantizer under 20), with no frame dropped and the
///   quantizer under 40 in the last second, at least 3 s
///   after the last change; if the larger size is then left again within 5 s, the next
///   climb waits twice as long (up to 24 s), so a picture that costs just too much does
///   not flip sizes every few seconds.
///
/// A change costs a keyframe (the encoder starts again at the new size), and the second
/// after it (the keyframe, the new rate control) is not judged. Pure: no clock, no I/O;
/// times in nanoseconds.
public struct ResolutionSteering: Sendable, Equatable {
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// Halvings of the source's size now (0: the source's size).
    public private(set) var level = 0
    /// The deepest level allowed (the smallest size at least 160x90).
    public let deepestLevel: Int
    /// The target (bits per second) at which each level was left for a smaller size.
    private var leftAt: [Int: Int] = [:]
    private var window = Window()
    private var lastChange: UInt64?
    private var lastClimb: UInt64?
    private var climbWait: UInt64 = Self.climbWait
    /// Judged seconds in a row in which the encoder strained.
    private var strainedSeconds = 0

    static let second: UInt64 = 1_000_000_000
    static let climbWait: UInt64 = 3 * second
    static let longestClimbWait: UInt64 = 24 * second
    static let lowestBitsPerPixel = 0.02
    static let climbBitsPerPixel = 0.05
    static let strainedQuantizer = 47.0
    static let easyQuantizer = 40.0
    static let fineQuantizer = 20.0
    static let strainedDropShare = 0.2

    struct Window: Sendable, Equatable {
        var start: UInt64?
        var offered = 0
        var dropped = 0
        var quantizerSum = 0
        var quantized = 0
    }

    public init(sourceWidth: Int, sourceHeight: Int) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        var deepest = 0
        while Self.halve(sourceWidth, deepest + 1) >= 160, Self.halve(sourceHeight, deepest + 1) >= 90 { deepest += 1 }
        deepestLevel = deepest
    }

    /// The size to encode at now (even, as `I420Frame.halved` makes it).
    public var size: (width: Int, height: Int) { Self.size(sourceWidth, sourceHeight, level) }

    static func halve(_ value: Int, _ times: Int) -> Int {
        var value = value
        for _ in 0 ..< times { value = (value / 2) & ~1 }
        return value
    }

    static func size(_ width: Int, _ height: Int, _ level: Int) -> (width: Int, height: Int) {
        (halve(width, level), halve(height, level))
    }

    static func bitsPerPixel(_ target: Int, _ size: (width: Int, height: Int), frameRate: Double) -> Double {
        Double(target) / (Double(max(1, size.width * size.height)) * max(1, frameRate))
    }

    /// One frame offered to the encoder: `quantizer` of what it made (nil: it dropped the
    /// frame), at `target` bits per second and `frameRate` frames a second encoded. The new
    /// level when the size changes now.
    public mutating func frameOffered(quantizer: Int?, target: Int, frameRate: Double, nowNanoseconds now: UInt64) -> Int? {
        guard let start = window.start, now >= start else {
            window = Window(start: now)
            count(quantizer)
            return nil
        }
        count(quantizer)
        guard now - start >= Self.second else { return nil }
        let judged = window
        window = Window(start: now)
        if let lastChange, now >= lastChange, now - lastChange < 2 * Self.second { return nil }   // the change's own second
        let dropShare = Double(judged.dropped) / Double(max(1, judged.offered))
        let quantizer = judged.quantized > 0 ? Double(judged.quantizerSum) / Double(judged.quantized) : Double(Self.strainedQuantizer)
        let here = Self.bitsPerPixel(target, size, frameRate: frameRate)
        let strained = dropShare >= Self.strainedDropShare || quantizer >= Self.strainedQuantizer
        strainedSeconds = strained ? strainedSeconds + 1 : 0
        if level < deepestLevel, here < Self.lowestBitsPerPixel || strainedSeconds >= 2 {
            strainedSeconds = 0
            if let lastClimb, now >= lastClimb, now - lastClimb < 5 * Self.second {
                climbWait = min(Self.longestClimbWait, climbWait * 2)
            }
            leftAt[level] = target
            level += 1
            lastChange = now
            return level
        }
        if level > 0, judged.dropped == 0, quantizer < Self.easyQuantizer {
            let larger = Self.size(sourceWidth, sourceHeight, level - 1)
            let waited = lastChange.map { now < $0 || now - $0 >= climbWait } ?? true
            let enough = Self.bitsPerPixel(target, larger, frameRate: frameRate) >= Self.climbBitsPerPixel
                && (Double(target) >= 1.5 * Double(leftAt[level - 1] ?? 0) || quantizer < Self.fineQuantizer)
            if waited, enough {
                level -= 1
                lastChange = now
                lastClimb = now
                return level
            }
        }
        return nil
    }

    private mutating func count(_ quantizer: Int?) {
        window.offered += 1
        if let quantizer {
            window.quantizerSum += min(max(quantizer, 0), 63)
            window.quantized += 1
        } else {
            window.dropped += 1
        }
    }
}
