import Testing
@testable import ParleyMedia

@Suite("VP8 codec (libvpx)")
struct VP8CodecTests {
    @Test func movingPatternAt640x480KeepsAbove30dB() throws {
        let pattern = TestPatternGenerator(width: 640, height: 480)
        let encoder = try VP8VideoEncoder(settings: VP8EncoderSettings(width: 640, height: 480, bitrate: 1_000_000, frameRate: 30))
        let decoder = try VP8VideoDecoder()
        var psnrs: [Double] = []
        var bytes = 0
        var keyframes: [Int] = []
        for index in 0 ..< 60 {
            if index == 40 { encoder.requestKeyframe() }
            let source = pattern.frame(index)
            let encoded = try encoder.encode(source, timestamp: Int64(index * 3000))
            #expect(encoded.count == 1)   // lag 0: every frame comes straight out
            for frame in encoded {
                bytes += frame.data.count
                if frame.isKeyframe { keyframes.append(index) }
                #expect(frame.timestamp == Int64(index * 3000))
                let decoded = try decoder.decode(frame.data)
                #expect(decoded.count == 1)
                if let picture = decoded.first {
                    psnrs.append(picture.psnr(comparedTo: source))
                    #expect(pattern.readFrameNumber(from: picture) == index)
                }
            }
        }
        let average = psnrs.reduce(0, +) / Double(psnrs.count)
        print("VP8 640x480 1 Mb/s: average PSNR \(average) dB, minimum \(psnrs.min() ?? 0) dB, \(bytes * 8 / 2) b/s, keyframes \(keyframes)")
        #expect(psnrs.count == 60)
        #expect(average >= 30)
        #expect(keyframes == [0, 40])
    }

    /// A picture that costs more than the target even at the coarsest quantizer (fresh noise
    /// in every frame): VP8 drops frames to keep to the target instead of overshooting it
    /// several times over, and a keyframe asked for comes out on a frame it keeps.
    @Test func aPictureTooCostlyForTheTargetDropsFrames() throws {
        let encoder = try VP8VideoEncoder(settings: VP8EncoderSettings(width: 320, height: 240, bitrate: 100_000, frameRate: 30))
        var generator = SystemRandomNumberGenerator()
        var kept = 0, bytes = 0, keyframes: [Int] = []
        for index in 0 ..< 90 {
            if index == 60 { encoder.requestKeyframe() }
            var frame = I420Frame(width: 320, height: 240)
            for position in frame.planes.indices { frame.planes[position] = UInt8.random(in: 0 ... 255, using: &generator) }
            for encoded in try encoder.encode(frame, timestamp: Int64(index * 3000)) {
                kept += 1
                bytes += encoded.data.count
                if encoded.isKeyframe { keyframes.append(index) }
            }
        }
        print("VP8 noise at 100 kb/s: \(kept) of 90 frames kept, \(bytes * 8 / 3) b/s, keyframes at \(keyframes)")
        #expect(kept < 90)
        #expect(bytes * 8 / 3 < 250_000)
        #expect(keyframes.count == 2 && keyframes[0] == 0 && keyframes[1] >= 60)
    }

    @Test func framesSurviveTheRTPPathIntoTheDecoder() throws {
        let pattern = TestPatternGenerator(width: 320, height: 240)
        let encoder = try VP8VideoEncoder(settings: VP8EncoderSettings(width: 320, height: 240, bitrate: 400_000, frameRate: 30))
        let decoder = try VP8VideoDecoder()
        var packetizer = VP8Packetizer(sequencer: RTPSequencer(ssrc: 7, payloadType: 96, firstSequenceNumber: 65500))
        var assembler = VP8FrameAssembler()
        var decodedNumbers: [Int] = []
        for index in 0 ..< 30 {
            for frame in try encoder.encode(pattern.frame(index), timestamp: Int64(index * 3000)) {
                for packet in packetizer.packetize(frame: frame.data, timestamp: UInt32(truncatingIfNeeded: frame.timestamp)) {
                    #expect(try packet.serialized().count <= 1200)
                    for complete in try assembler.insert(RTPPacket(parsing: packet.serialized())) {
                        for picture in try decoder.decode(complete.data) {
                            decodedNumbers.append(pattern.readFrameNumber(from: picture) ?? -1)
                        }
                    }
                }
            }
        }
        #expect(decodedNumbers == Array(0 ..< 30))
    }

    @Test func invalidSettingsAreRefused() {
        #expect(throws: CodecError.self) { try VP8VideoEncoder(settings: VP8EncoderSettings(width: 641, height: 480)) }
        #expect(throws: CodecError.self) { try VP8VideoEncoder(settings: VP8EncoderSettings(width: 640, height: 480, threads: 0)) }
    }

    @Test func garbageIsRejectedByTheDecoder() throws {
        let decoder = try VP8VideoDecoder()
        #expect(throws: CodecError.self) { try decoder.decode([0x00, 0x01, 0x02, 0x03, 0x04]) }
    }

    @Test func patternCounterReadsBack() {
        let pattern = TestPatternGenerator(width: 320, height: 240)
        for index in [0, 7, 42, 123_456, 999_999] {
            #expect(pattern.readFrameNumber(from: pattern.frame(index)) == index)
        }
        #expect(pattern.frame(1) != pattern.frame(2))
    }
}
