/// A Y4M file as a live video source: frames paced at the file's frame rate by a
/// monotonic clock, starting over at the end when looping.
public final class Y4MFileSource: VideoSource {
    private let reader: Y4MReader
    private var pacer: RealTimePacer
    public var width: Int { reader.header.width }
    public var height: Int { reader.header.height }

    public init(path: String, loops: Bool = true, clock: any MediaClock = MonotonicClock()) throws(MediaFileError) {
        reader = try Y4MReader(path: path, loops: loops)
        pacer = RealTimePacer(
            clock: clock, framesPerSecondNumerator: reader.header.frameRateNumerator,
            framesPerSecondDenominator: reader.header.frameRateDenominator)
    }

    public func nextFrame() async throws -> CapturedVideoFrame? {
        guard let frame = try reader.nextFrame() else { return nil }
        let index = pacer.framesPaced
        let captureTime = try await pacer.waitForNextFrame()
        return CapturedVideoFrame(frame: frame, captureTime: captureTime, index: index)
    }

    public func nextFrameBlocking() throws -> CapturedVideoFrame? {
        guard let frame = try reader.nextFrame() else { return nil }
        let index = pacer.framesPaced
        let captureTime = try pacer.waitForNextFrameBlocking()
        return CapturedVideoFrame(frame: frame, captureTime: captureTime, index: index)
    }
}
