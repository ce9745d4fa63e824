@testable import ParleyMedia
import Testing

@Suite("Resolution steering (a smaller picture when the rate cannot carry the source's)", .timeLimit(.minutes(1)))
struct ResolutionSteeringTests {
    static let second: UInt64 = 1_000_000_000
    static let frame: UInt64 = second / 30

    /// Frames at 30 fps into a steering, each following the one before.
    struct Feed {
        var steering = ResolutionSteering(sourceWidth: 640, sourceHeight: 480)
        var now: UInt64 = 0

        /// Offers up to `seconds` of frames at `target`, each encoded at `quantizer` (nil:
        /// dropped; `dropEvery`: one in that many dropped); stops at the first change of
        /// size and returns its level.
        mutating func run(seconds: Double, target: Int, quantizer: Int?, dropEvery: Int = 0) -> Int? {
            for index in 0 ..< Int(seconds * 30) {
                let dropped = quantizer == nil || (dropEvery > 0 && index % dropEvery == 0)
                let change = steering.frameOffered(quantizer: dropped ? nil : quantizer, target: target, frameRate: 30, nowNanoseconds: now)
                now += frame
                if let change { return change }
            }
            return nil
        }
    }

    @Test("The levels stop at 160x90: 640x480 halves twice, 1280x720 three times, 320x180 once, 240x136 never")
    func deepestLevels() {
        #expect(ResolutionSteering(sourceWidth: 640, sourceHeight: 480).deepestLevel == 2)
        #expect(ResolutionSteering(sourceWidth: 1280, sourceHeight: 720).deepestLevel == 3)
        #expect(ResolutionSteering(sourceWidth: 320, sourceHeight: 180).deepestLevel == 1)
        #expect(ResolutionSteering(sourceWidth: 240, sourceHeight: 136).deepestLevel == 0)
        var feed = Feed()
        #expect(feed.run(seconds: 2, target: 50_000, quantizer: 56) == 1)
        #expect(feed.run(seconds: 4, target: 50_000, quantizer: 56) == 2)
        #expect(feed.run(seconds: 5, target: 50_000, quantizer: 56) == nil, "never below the deepest level")
        #expect(feed.steering.size == (160, 120))
    }

    @Test("Down a step when the target leaves too few bits per pixel, or for two seconds VP8 drops a fifth of the frames or its quantizer averages 47 or more",
          arguments: [
              (target: 150_000, quantizer: 20 as Int?, dropEvery: 0, goesDown: true),    // 0.016 bits per pixel
              (target: 200_000, quantizer: 20 as Int?, dropEvery: 0, goesDown: false),   // 0.022
              (target: 600_000, quantizer: 30 as Int?, dropEvery: 4, goesDown: true),    // a quarter dropped
              (target: 600_000, quantizer: 30 as Int?, dropEvery: 10, goesDown: false),  // a tenth dropped
              (target: 600_000, quantizer: 48 as Int?, dropEvery: 0, goesDown: true),
              (target: 600_000, quantizer: 45 as Int?, dropEvery: 0, goesDown: false),
          ])
    func stepsDown(target: Int, quantizer: Int?, dropEvery: Int, goesDown: Bool) {
        var feed = Feed()
        let strainOnly = target >= 200_000
        #expect(feed.run(seconds: strainOnly ? 2.5 : 1.5, target: target, quantizer: quantizer, dropEvery: dropEvery) == (goesDown ? 1 : nil))
        #expect(feed.steering.size == (goesDown ? (320, 240) : (640, 480)))
    }

    @Test("One strained second between easy ones (the target dipped while the estimate probed) changes nothing")
    func oneStrainedSecondIsNotEnough() {
        var feed = Feed()
        #expect(feed.run(seconds: 1.5, target: 600_000, quantizer: 30) == nil)
        #expect(feed.run(seconds: 1, target: 350_000, quantizer: 52) == nil)
        #expect(feed.run(seconds: 3, target: 600_000, quantizer: 30) == nil)
        #expect(feed.steering.level == 0)
    }

    @Test("Up a step only with bits for the larger size, 1.5 x the target it was left at, an easy quantizer, no drops, 3 s after the change")
    func stepsUp() {
        var feed = Feed()
        #expect(feed.run(seconds: 2.5, target: 300_000, quantizer: 50) == 1)   // strained at 300 kb/s
        #expect(feed.run(seconds: 4, target: 420_000, quantizer: 20) == nil, "420 kb/s: under 1.5 x 300 and 0.05 bits per pixel")
        #expect(feed.run(seconds: 2, target: 420_000, quantizer: 42) == nil)
        #expect(feed.run(seconds: 2, target: 600_000, quantizer: 42) == nil, "a hard picture even at the smaller size")
        #expect(feed.run(seconds: 2, target: 600_000, quantizer: 25, dropEvery: 15) == nil, "a dropped frame holds it")
        #expect(feed.run(seconds: 2.5, target: 600_000, quantizer: 25) == 0)
        #expect(feed.steering.size == (640, 480))
    }

    @Test("Left at the most it may send, the larger size comes back only when the picture becomes easy (a quantizer under 20)")
    func aPictureThatBecomesEasyClimbs() {
        var feed = Feed()
        #expect(feed.run(seconds: 2.5, target: 1_500_000, quantizer: 50) == 1)   // grain at the configured rate
        #expect(feed.run(seconds: 6, target: 1_500_000, quantizer: 30) == nil)
        #expect(feed.run(seconds: 2.5, target: 1_500_000, quantizer: 12) == 0)
    }

    @Test("A climb left again within 5 s makes the next one wait twice as long")
    func climbBacksOff() {
        var feed = Feed()
        #expect(feed.run(seconds: 1.5, target: 150_000, quantizer: 20) == 1)   // too few bits
        let changed = feed.now
        #expect(feed.run(seconds: 4, target: 600_000, quantizer: 20) == 0, "the path widened")
        #expect(feed.now - changed >= 3 * Self.second && feed.now - changed < 4 * Self.second + Self.frame, "3 s after the change")
        #expect(feed.run(seconds: 4, target: 600_000, quantizer: 50) == 1, "the full size strains")
        let left = feed.now
        #expect(feed.run(seconds: 5, target: 1_000_000, quantizer: 20) == nil, "the climb now waits 6 s")
        #expect(feed.run(seconds: 2, target: 1_000_000, quantizer: 20) == 0)
        #expect(feed.now - left >= 6 * Self.second)
    }

    @Test("A frame resized to another size keeps its picture: twice the size is the nearest pixels; the same size is the frame itself")
    func resize() throws {
        var frame = I420Frame(width: 16, height: 16)
        for row in 0 ..< 16 {
            for column in 0 ..< 16 { frame.planes[row * 16 + column] = UInt8(column * 10 + row) }
        }
        for index in 0 ..< 64 { frame.planes[frame.uOffset + index] = UInt8(index); frame.planes[frame.vOffset + index] = UInt8(100 + index) }
        let larger = frame.resized(toWidth: 32, height: 32)
        #expect(larger.width == 32 && larger.height == 32)
        #expect(Array(larger.planes[0 ..< 6]) == [0, 0, 10, 10, 20, 20])
        #expect(Array(larger.planes[32 ..< 36]) == [0, 0, 10, 10], "the second row repeats the first")
        #expect(Array(larger.planes[64 ..< 68]) == [1, 1, 11, 11])
        #expect(Array(larger.planes[larger.uOffset ..< larger.uOffset + 4]) == [0, 0, 1, 1])
        #expect(Array(larger.planes[larger.vOffset + 32 ..< larger.vOffset + 36]) == [108, 108, 109, 109], "the V plane's third row is its second")
        #expect(larger.resized(toWidth: 16, height: 16).planes == frame.planes)
        #expect(frame.resized(toWidth: 16, height: 16).planes == frame.planes)
        #expect(frame.resized(toWidth: 17, height: 16).width == 16, "an odd size is not a frame's: the frame itself")
    }

    /// Smooth moving gradients (cheap for VP8) or noise that changes on every frame (costly).
    static func picture(_ index: Int, noisy: Bool) -> I420Frame {
        var frame = I420Frame(width: 640, height: 480)
        for row in 0 ..< 480 {
            for column in 0 ..< 640 {
                frame.planes[row * 640 + column] = noisy ? noise[(row * 640 + column + index * 7919) % noise.count] : UInt8(truncatingIfNeeded: column + row + 4 * index)
            }
        }
        return frame
    }

    static let noise: [UInt8] = {
        var generator = SplitMix64(seed: 7)
        return (0 ..< 640 * 480 + 1021).map { _ in UInt8(truncatingIfNeeded: generator.next() >> 56) }
    }()

    static func estimate(_ bitrate: UInt64, for ssrc: UInt32) throws -> [UInt8] {
        try RTCPPacket.serializeCompound([.receiverEstimate(RTCPReceiverEstimate(senderSSRC: 9, bitrate: bitrate, mediaSSRCs: [ssrc]))])
    }

    @Test("A call's VP8 sender halves its picture when the receiver's estimate falls to 100 kb/s and returns to 640x480 when it rises")
    func senderFollowsTheEstimate() throws {
        let sender = try VideoStreamSender(
            description: .vp8(port: 9), settings: VP8EncoderSettings(width: 640, height: 480, bitrate: 1_000_000, frameRate: 30),
            canonicalName: "steering", ssrc: 42, adaptsResolution: true)
        var index = 0
        func send(seconds: Int) throws {
            for _ in 0 ..< seconds * 30 {
                let now = UInt64(index) * Self.frame
                _ = try sender.send(CapturedVideoFrame(frame: Self.picture(index, noisy: false), captureTime: now, index: UInt64(index)), nowNanoseconds: now)
                index += 1
            }
        }
        try send(seconds: 2)
        #expect(sender.statistics(nowNanoseconds: 0).width == 640)
        sender.receiveFeedback(try Self.estimate(100_000, for: 42))
        try send(seconds: 3)
        #expect(sender.resolution?.level ?? 0 >= 1)
        #expect(sender.statistics(nowNanoseconds: 0).width ?? 0 <= 320)
        sender.receiveFeedback(try Self.estimate(3_000_000, for: 42))
        try send(seconds: 12)
        #expect(sender.resolution?.level == 0)
        #expect(sender.statistics(nowNanoseconds: 0).width == 640 && sender.statistics(nowNanoseconds: 0).height == 480)
    }

    @Test("A picture VP8 cannot fit at 300 kb/s (noise) is sent at half the size, though the bits per pixel would do for a plain one")
    func senderHalvesACostlyPicture() throws {
        let sender = try VideoStreamSender(
            description: .vp8(port: 9), settings: VP8EncoderSettings(width: 640, height: 480, bitrate: 300_000, frameRate: 30),
            canonicalName: "steering", ssrc: 42, adaptsResolution: true)
        for index in 0 ..< 90 {
            let now = UInt64(index) * Self.frame
            _ = try sender.send(CapturedVideoFrame(frame: Self.picture(index, noisy: true), captureTime: now, index: UInt64(index)), nowNanoseconds: now)
        }
        #expect(sender.resolution?.level ?? 0 >= 1)
    }

    @Test("A plain RTP stream keeps the size in its SDP")
    func streamKeepsItsSize() throws {
        let sender = try VideoStreamSender(
            description: .vp8(port: 9), settings: VP8EncoderSettings(width: 640, height: 480, bitrate: 100_000, frameRate: 30), canonicalName: "stream")
        #expect(sender.resolution == nil)
    }
}
