/// The test pattern as a live source: frames paced in real time by a monotonic clock.
public final class TestPatternSource: VideoSource {
    public let generator: TestPatternGenerator
    public var width: Int { generator.width }
    public var height: Int { generator.height }
    private var pacer: RealTimePacer
    /// Stop after this many frames (nil = never).
    public let frameLimit: UInt64?

    public init(width: Int, height: Int, frameRate: Int = 30, frameLimit: UInt64? = nil, clock: any MediaClock = MonotonicClock()) {
        generator = TestPatternGenerator(width: width, height: height)
        pacer = RealTimePacer(clock: clock, framesPerSecondNumerator: frameRate)
        self.frameLimit = frameLimit
    }

    public func nextFrame() async throws -> CapturedVideoFrame? {
        let index = pacer.framesPaced
        if let frameLimit, index >= frameLimit { return nil }
        let captureTime = try await pacer.waitForNextFrame()
        return CapturedVideoFrame(frame: generator.frame(Int(index % 1_000_000)), captureTime: captureTime, index: index)
    }

    public func nextFrameBlocking() throws -> CapturedVideoFrame? {
        let index = pacer.framesPaced
        if let frameLimit, index >= frameLimit { return nil }
        let captureTime = try pacer.waitForNextFrameBlocking()
        return CapturedVideoFrame(frame: generator.frame(Int(index % 1_000_000)), captureTime: captureTime, index: index)
    }
}
