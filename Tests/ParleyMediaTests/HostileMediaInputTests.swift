import Testing
@testable import ParleyMedia

/// Regression tests for numbers that come from outside — an SDP, RTP/RTCP packets, VP8
/// and Opus payloads, the command line — and used to trap or exhaust memory
/// (docs/MEDIA.md, "Hostile input"). Each of these crashed or misbehaved before its fix.
enum HostileVP8 {
    /// A real 16x16 VP8 keyframe (libvpx), whose declared size can be rewritten: a 1x2 or a
    /// 16383x16383 picture has the same single macroblock, so libvpx decodes it as declared.
    static func keyframe(width: Int = 16, height: Int = 16, encodedSize: Int = 16) throws -> [UInt8] {
        let encoder = try VP8VideoEncoder(
            settings: VP8EncoderSettings(width: encodedSize, height: encodedSize, bitrate: 100_000, frameRate: 30))
        var data = try #require(try encoder.encode(I420Frame(width: encodedSize, height: encodedSize), timestamp: 0).first).data
        #expect(VP8VideoDecoder.keyframeSize(data).map { [$0.width, $0.height] } == [encodedSize, encodedSize])
        data[6] = UInt8(width & 0xFF)
        data[7] = UInt8(width >> 8 & 0x3F)
        data[8] = UInt8(height & 0xFF)
        data[9] = UInt8(height >> 8 & 0x3F)
        return data
    }

    /// The RTP packets of `frame` (RFC 7741), 1200 bytes at most each.
    static func packets(_ frame: [UInt8], sequence: UInt16 = 1, timestamp: UInt32 = 3000, pictureID: UInt16 = 0) throws -> [[UInt8]] {
        var packetizer = VP8Packetizer(
            sequencer: RTPSequencer(ssrc: 0x1234_5678, payloadType: 96, firstSequenceNumber: sequence), firstPictureID: pictureID)
        return try packetizer.packetize(frame: frame, timestamp: timestamp).map { try $0.serialized() }
    }
}

@Suite("Hostile media input")
struct HostileMediaInputTests {
    // MARK: 6. VP8 frame sizes

    @Test("A VP8 keyframe of 1x2 pixels is refused, not a trap in I420Frame", .timeLimit(.minutes(1)))
    func tinyKeyframeIsRefused() throws {
        let decoder = try VP8VideoDecoder()
        #expect(throws: CodecError.frameSizeRefused(width: 1, height: 2, dimensions: 16 ... 4096, maximumPixels: 3840 * 2160)) {
            try decoder.decode(try HostileVP8.keyframe(width: 1, height: 2))
        }
        // Delta frames after it refer to a picture that never was.
        #expect(throws: CodecError.awaitingKeyframe) { try decoder.decode([0x01, 0x00, 0x00, 0x00]) }
        // The next acceptable keyframe decodes.
        let frames = try decoder.decode(try HostileVP8.keyframe())
        #expect(frames.count == 1 && frames.first?.width == 16)
    }

    @Test("Odd, tiny and huge declared sizes: refused or cropped, never a trap", .timeLimit(.minutes(1)),
          arguments: [(1, 1), (1, 2), (2, 2), (15, 16), (0, 16), (16, 0), (16383, 16383), (4097, 16), (3841, 2160), (4096, 4096)])
    func declaredSizesOutOfRangeAreRefused(width: Int, height: Int) throws {
        let decoder = try VP8VideoDecoder()
        #expect(throws: CodecError.self) { try decoder.decode(try HostileVP8.keyframe(width: width, height: height)) }
    }

    @Test("Odd sizes in range are decoded and cropped to even", .timeLimit(.minutes(1)))
    func oddSizesAreCropped() throws {
        let decoder = try VP8VideoDecoder()
        // 31x17 has the 2x2 macroblocks of the 32x32 picture encoded.
        let frames = try decoder.decode(try HostileVP8.keyframe(width: 31, height: 17, encodedSize: 32))
        #expect(frames.map(\.width) == [30] && frames.map(\.height) == [16])
    }

    @Test("The cap is configurable, portrait sizes count by area", .timeLimit(.minutes(1)))
    func capIsConfigurable() throws {
        let small = try VP8VideoDecoder(maximumPixels: 16 * 16)
        #expect(throws: CodecError.self) { try small.decode(try HostileVP8.keyframe(width: 32, height: 16)) }
        #expect(throws: CodecError.self) { try VP8VideoDecoder(maximumPixels: 0) }
        #expect(throws: CodecError.self) { try VP8VideoDecoder(maximumPixels: .max) }
        // 14 bits each, little endian; the 2 scaling bits above are not part of the size.
        #expect(VP8VideoDecoder.keyframeSize([0x10, 0, 0, 0x9D, 0x01, 0x2A, 0x70, 0xC8, 0x38, 0x44]).map { [$0.width, $0.height] } == [2160, 1080])
        #expect(VP8VideoDecoder.keyframeSize([0x11, 0, 0, 0x9D, 0x01, 0x2A, 0x70, 0x08, 0x38, 0x04]) == nil, "a delta frame")
    }

    @Test("Keyframe tags without a start code or size are refused before libvpx", .timeLimit(.minutes(1)))
    func truncatedKeyframesAreRefused() throws {
        let decoder = try VP8VideoDecoder()
        for data: [UInt8] in [[0x00], [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x10, 0x00, 0x10], [0x00, 0, 0, 0x9D, 0x01, 0x2B, 16, 0, 16, 0]] {
            #expect(throws: CodecError.self) { try decoder.decode(data) }
        }
    }

    @Test("Through the receiver: a 1x2 and a 16383x16383 keyframe count as decoder errors, then video recovers", .timeLimit(.minutes(1)))
    func receiverCountsRefusedFrames() throws {
        let receiver = try VideoStreamReceiver(description: .vp8(port: 5006), canonicalName: "test")
        var now: UInt64 = 1_000_000_000
        var sequence: UInt16 = 1
        var shown: [DecodedVideoFrame] = []
        for (index, size) in [(1, 2), (16383, 16383), (16, 16)].enumerated() {
            let packets = try HostileVP8.packets(
                try HostileVP8.keyframe(width: size.0, height: size.1), sequence: sequence, timestamp: UInt32(index + 1) * 3000,
                pictureID: UInt16(index))
            sequence &+= UInt16(packets.count)
            for packet in packets {
                now += 1_000_000
                shown += receiver.receive(packet, nowNanoseconds: now)
            }
            _ = try receiver.feedbackIfDue(nowNanoseconds: now)
            now += 400_000_000
        }
        let statistics = receiver.statistics(nowNanoseconds: now)
        #expect(statistics.decoderErrors == 2)
        #expect(shown.count == 1 && shown.first?.frame.width == 16)
        #expect((statistics.keyframeRequestsSent ?? 0) >= 1, "keyframes were asked for after the refusals")
    }

    // MARK: 7. SDP ports

    static func sdp(_ media: String) -> String {
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + media
    }

    @Test("Port 65535 without rtcp-mux is refused where the SDP is parsed (RTCP would be 65536)")
    func rtcpPortMustExist() throws {
        #expect(throws: SessionDescriptionError.self) {
            try SessionDescription(parsing: Self.sdp("m=video 65535 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"))
        }
        do {
            _ = try SessionDescription(parsing: Self.sdp("m=video 65535 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"))
        } catch {
            #expect(error.description.contains("65536"), "\(error)")
        }
        let muxed = try SessionDescription(parsing: Self.sdp("m=video 65535 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=rtcp-mux\r\n"))
        #expect(muxed.video?.rtcpPort == 65535)
        let explicit = try SessionDescription(parsing: Self.sdp("m=video 65535 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=rtcp:5001\r\n"))
        #expect(explicit.video?.rtcpPort == 5001)
        // A description built in code is checked before it reaches the sockets.
        #expect(throws: SessionDescriptionError.self) {
            try MediaDescription(kind: .video, port: 65535, payloadType: 96, encodingName: "VP8", clockRate: 90000, rtcpMultiplexed: false).validate()
        }
        for port in [0, -1, 65536, .max] {
            #expect(throws: SessionDescriptionError.self) { try MediaDescription.vp8(port: port).validate() }
        }
        #expect(throws: SessionDescriptionError.self) {
            try SessionDescription(parsing: Self.sdp("m=video 65536 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=rtcp-mux\r\n"))
        }
    }

    // MARK: 8. Clock rates and the arithmetic on them

    @Test("Clock rates, payload types and channel counts are range-checked where the SDP is parsed",
          arguments: ["VP8/99999999999", "VP8/0", "VP8/-90000", "VP8/999", "VP8/192001", "VP8/99999999999999999999999", "VP8/90000/0",
                      "VP8/90000/9", "VP8/90000/x"])
    func rtpmapNumbersAreChecked(rtpmap: String) throws {
        #expect(throws: SessionDescriptionError.self) {
            try SessionDescription(parsing: Self.sdp("m=video 5006 RTP/AVP 96\r\na=rtpmap:96 \(rtpmap)\r\na=rtcp-mux\r\n"))
        }
    }

    @Test func rtpmapPayloadTypeAbove127IsRefused() {
        #expect(throws: SessionDescriptionError.self) {
            try SessionDescription(parsing: Self.sdp("m=video 5006 RTP/AVP 96\r\na=rtpmap:200 VP8/90000\r\na=rtpmap:96 VP8/90000\r\n"))
        }
        #expect((try? SessionDescription(parsing: Self.sdp("m=video 5006 RTP/AVP 96\r\na=rtpmap:96 VP8/8000\r\n")))?.video?.clockRate == 8000)
    }

    @Test("Reception statistics never trap, whatever clock rate they are given", arguments: [99_999_999_999, Int.max, 0, -1, Int.min, 1, 90000])
    func statisticsArithmeticCannotTrap(clockRate: Int) throws {
        var statistics = RTPReceiverStatistics(clockRate: clockRate)
        for index in 0 ..< 50 {
            let header = RTPHeader(
                marker: false, payloadType: 96, sequenceNumber: UInt16(truncatingIfNeeded: index * 7919), timestamp: UInt32.random(in: 0 ... .max),
                ssrc: 1)
            statistics.record(header, arrivalNanoseconds: UInt64.random(in: 0 ... .max))
        }
        _ = statistics.makeReportBlock(nowNanoseconds: .max)
        #expect(statistics.jitterSeconds.isFinite || clockRate <= 0)
        // And through the receiving stream, with a description built in code.
        let media = MediaDescription(kind: .video, port: 5006, payloadType: 96, encodingName: "VP8", clockRate: clockRate)
        let reception = try RTPReception(description: media, canonicalName: "test", sessionBandwidth: 1_000_000)
        let packet = try RTPPacket(header: RTPHeader(marker: true, payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 9), payload: [1]).serialized()
        var accepted = false
        if case .media = reception.receive(packet, nowNanoseconds: 1_999_999_999) { accepted = true }
        #expect(accepted)
        _ = try reception.control([], nowNanoseconds: 3_000_000_000)
    }

    // MARK: Jitter buffer and hostile RTP timestamps

    @Test("Timestamps jumping half the 32-bit range after every pause never overflow the buffer's arithmetic",
          .timeLimit(.minutes(1)))
    func timestampJumpsAfterPausesCannotTrap() {
        var buffer = AudioJitterBuffer()
        var timestamp: UInt32 = 0
        var decoded = 0
        // Each cycle: a pause of 2^31 − 1 samples (12.4 h, sent as DTX would), then three
        // packets, played until the buffer runs dry. The unwrapped timestamp grows by 2^31
        // a cycle; after 4295 cycles × 10^6 (samples → ns) overflowed Int64 and trapped.
        for cycle in 0 ..< 5000 {
            timestamp &+= 0x7FFF_FFFF
            let arrival = 1_000_000_000 + UInt64(cycle + 1) * (0x7FFF_FFFF * 1_000_000 / 48)
            for frame in 0 ..< 3 {
                buffer.insert(payload: [1], timestamp: timestamp &+ UInt32(frame * 960), arrivalNanoseconds: arrival + UInt64(frame) * 20_000_000)
            }
            for _ in 0 ..< 5 {
                if case .decode = buffer.nextAction() { decoded += 1 }
            }
            #expect(buffer.bufferedDelay <= buffer.maximumDelay + AudioJitterBuffer.frameNanoseconds)
        }
        // Until then every packet plays; past it the (saturated) lateness keeps the buffer
        // waiting at its maximum delay: no trap, and 4295 pauses of 12 h are no real stream.
        #expect(decoded >= 4294 * 3, "the packets of every cycle before the overflow point played")
        #expect(buffer.targetDelay <= buffer.maximumDelay)
    }

    @Test("A packet far ahead moves the playout at once, not one frame per step", .timeLimit(.minutes(1)))
    func farJumpsCostLittle() {
        var buffer = AudioJitterBuffer()
        var timestamp: UInt32 = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            // Each jump of 2^31 samples used to advance the playout 2.2 million times.
            for index in 0 ..< 300 {
                timestamp &+= 0x7FFF_FFFF
                buffer.insert(payload: [1], timestamp: timestamp, arrivalNanoseconds: UInt64(index) * 20_000_000)
                #expect(buffer.bufferedDelay <= buffer.maximumDelay + AudioJitterBuffer.frameNanoseconds)
            }
        }
        #expect(elapsed < .seconds(2), "\(elapsed)")
    }

    @Test("Timestamps off the 20 ms grid cannot make the buffer hold more and more packets", .timeLimit(.minutes(1)))
    func offGridTimestampsStayBounded() {
        var buffer = AudioJitterBuffer()
        var arrival: UInt64 = 0
        for index in 0 ..< 20_000 {
            arrival += 1_000_000
            buffer.insert(payload: [UInt8](repeating: 0, count: 100), timestamp: UInt32(index * 7), arrivalNanoseconds: arrival)
            if index % 20 == 0 { _ = buffer.nextAction() }
        }
        #expect(buffer.heldPackets <= AudioJitterBuffer.maximumPackets)
    }

    // MARK: 9. Durations from the command line

    @Test("Durations must be finite, positive and at most a year", arguments: [1e300, .infinity, -.infinity, .nan, 0, -1, 31_536_001])
    func badDurationsAreRefused(seconds: Double) {
        #expect(StreamLimits.durationProblem(seconds, option: "--duration") != nil)
        #expect(StreamLimits.nanoseconds(seconds) <= 31_536_000 * 1_000_000_000)
    }

    @Test func goodDurationsPass() {
        #expect(StreamLimits.durationProblem(0.5, option: "--duration") == nil)
        #expect(StreamLimits.durationProblem(31_536_000, option: "--duration") == nil)
        #expect(StreamLimits.nanoseconds(2.5) == 2_500_000_000)
        #expect(StreamLimits.secondsProblem(.infinity, option: "--audio-seconds", in: StreamLimits.benchmarkSecondsRange) != nil)
        #expect(StreamLimits.secondsProblem(0, option: "--audio-seconds", in: StreamLimits.benchmarkSecondsRange) != nil)
        #expect(StreamLimits.secondsProblem(60, option: "--audio-seconds", in: StreamLimits.benchmarkSecondsRange) == nil)
    }
}
