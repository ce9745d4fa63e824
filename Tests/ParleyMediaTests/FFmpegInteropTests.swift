import Foundation
import Testing
@testable import ParleyMedia

/// Parley's RTP against ffmpeg's (Debian ffmpeg with libopus and libvpx), over UDP on loopback.
@Suite("RTP interop with ffmpeg", .serialized, .enabled(if: FFmpeg.path != nil, "ffmpeg is not installed (make deps installs it)"))
struct FFmpegInteropTests {
    static func directory() -> String {
        let path = MediaFileTests.temporaryPath("interop")
        return (path as NSString).deletingLastPathComponent
    }

    @Test func ffmpegOpusIntoParley() throws {
        let folder = Self.directory()
        let input = chirp(seconds: 2)
        try WAVFile.write(PCMAudio(sampleRate: 48000, channels: 1, samples: input), to: "\(folder)/in.wav")
        let socket = try LoopbackUDPSocket()
        // ffmpeg's own libopus settings at 64 kb/s (at 32 kb/s its VOIP encoding of the sweep
        // correlates 0.85 only, as decoded here; Parley's 32 kb/s stream gives 0.99 in ffmpeg).
        let ffmpeg = try FFmpeg.start([
            "-i", "\(folder)/in.wav", "-c:a", "libopus", "-b:a", "64k", "-application", "voip", "-frame_duration", "20",
            "-payload_type", "111", "-f", "rtp", "rtp://127.0.0.1:\(socket.port)",
        ], log: "\(folder)/ffmpeg.log")
        var packets: [RTPPacket] = []
        var statistics = RTPReceiverStatistics(clockRate: 48000)
        let clock = MonotonicClock()
        for datagram in socket.receiveAll(while: ffmpeg) {
            guard MultiplexedPacketKind.classify(datagram) == .rtp else { continue }
            let packet = try RTPPacket(parsing: datagram)
            statistics.record(packet.header, arrivalNanoseconds: clock.nowNanoseconds())
            packets.append(packet)
        }
        #expect(FFmpeg.wait(ffmpeg, seconds: 5))
        #expect(packets.count >= 95)
        #expect(packets.allSatisfy { $0.header.payloadType == 111 })
        #expect(statistics.cumulativeLost == 0)
        var timestamps = RTPTimestampUnwrapper()
        let ordered = packets.map { (timestamps.unwrap($0.header.timestamp), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        let decoder = try OpusAudioDecoder()
        var output: [Int16] = []
        for packet in ordered { output += try decoder.decode(try #require(OpusPacketizer.opusPacket(in: packet))) }
        let aligned = bestAlignedCorrelation(input: input, output: output, range: 9600 ..< 86400, maxLag: 2000)
        print("ffmpeg → Parley Opus: \(packets.count) packets, correlation \(aligned.correlation) at lag \(aligned.lag) samples")
        #expect(aligned.correlation >= 0.9)
    }

    @Test func ffmpegSRTPOpusIntoParley() throws {
        let folder = Self.directory()
        let input = chirp(seconds: 1)
        try WAVFile.write(PCMAudio(sampleRate: 48000, channels: 1, samples: input), to: "\(folder)/in.wav")
        let keying = try SRTPKeyingMaterial(bytes: (0 ..< 30).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        let socket = try LoopbackUDPSocket()
        let ffmpeg = try FFmpeg.start([
            "-i", "\(folder)/in.wav", "-c:a", "libopus", "-b:a", "64k", "-application", "voip", "-frame_duration", "20",
            "-payload_type", "111", "-f", "rtp", "-srtp_out_suite", "AES_CM_128_HMAC_SHA1_80",
            "-srtp_out_params", keying.sdpInline, "srtp://127.0.0.1:\(socket.port)",
        ], log: "\(folder)/ffmpeg.log")
        let session = try SRTPSession(keying: keying, direction: .inbound)
        let wrongKey = try SRTPSession(keying: SRTPKeyingMaterial(bytes: [UInt8](repeating: 7, count: 30)), direction: .inbound)
        var packets: [RTPPacket] = []
        var rejectedByWrongKey = 0
        for datagram in socket.receiveAll(while: ffmpeg) {
            guard MultiplexedPacketKind.classify(datagram) == .rtp else { continue }
            if (try? wrongKey.unprotect(datagram)) == nil { rejectedByWrongKey += 1 }
            packets.append(try RTPPacket(parsing: session.unprotect(datagram)))
        }
        #expect(FFmpeg.wait(ffmpeg, seconds: 5))
        #expect(packets.count >= 45)
        #expect(rejectedByWrongKey == packets.count)
        var timestamps = RTPTimestampUnwrapper()
        let ordered = packets.map { (timestamps.unwrap($0.header.timestamp), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        let decoder = try OpusAudioDecoder()
        var output: [Int16] = []
        for packet in ordered { output += try decoder.decode(packet.payload) }
        let aligned = bestAlignedCorrelation(input: input, output: output, range: 4800 ..< 43200, maxLag: 2000)
        print("ffmpeg → Parley SRTP Opus: \(packets.count) packets, correlation \(aligned.correlation) at lag \(aligned.lag)")
        #expect(aligned.correlation >= 0.85)
    }

    @Test func parleyOpusIntoFFmpeg() async throws {
        let folder = Self.directory()
        let port = try LoopbackUDPSocket.freeEvenPort()
        try FFmpeg.sdp(media: "audio", port: port, payloadType: 111, rtpmap: "opus/48000/2")
            .write(toFile: "\(folder)/opus.sdp", atomically: true, encoding: .utf8)
        // ffmpeg reads until the RTCP BYE that ends the stream, then writes the whole WAV:
        // nothing here depends on how fast a loaded machine runs ffmpeg or this sender.
        let ffmpeg = try FFmpeg.start(FFmpeg.rtpInputOptions + [
            "-i", "\(folder)/opus.sdp", "-ac", "1", "-ar", "48000", "-c:a", "pcm_s16le", "\(folder)/out.wav",
        ], log: "\(folder)/ffmpeg.log")
        #expect(try await FFmpeg.waitUntilListening(port: port, seconds: FFmpeg.patienceSeconds), "ffmpeg did not open UDP port \(port)")
        let input = chirp(seconds: 2)
        let encoder = try OpusAudioEncoder()
        var packetizer = OpusPacketizer(sequencer: RTPSequencer(ssrc: 0x5A5A, payloadType: 111, firstSequenceNumber: 65500), firstTimestamp: 123_456)
        let sender = try LoopbackUDPSocket()
        let source = try WAVFileSource(path: { () throws -> String in
            let path = "\(folder)/parley-in.wav"
            try WAVFile.write(PCMAudio(sampleRate: 48000, channels: 1, samples: input), to: path)
            return path
        }())
        while let frame = try await source.nextFrame() {
            if let packet = packetizer.packetize(opusPacket: try encoder.encode(frame.samples)) {
                sender.send(try packet.serialized(), toPort: port)
            }
        }
        #expect(try await FFmpeg.endRTPInput(port: port, ssrc: 0x5A5A, sender: sender), "ffmpeg did not read the stream")
        #expect(FFmpeg.wait(ffmpeg, seconds: FFmpeg.patienceSeconds))
        let output = try WAVFile.read(path: "\(folder)/out.wav")
        #expect(output.sampleRate == 48000 && output.channels == 1)
        let aligned = bestAlignedCorrelation(input: input, output: output.samples, range: 9600 ..< 48000, maxLag: 4800)
        print("Parley → ffmpeg Opus: \(output.samples.count) samples, correlation \(aligned.correlation) at lag \(aligned.lag)")
        #expect(aligned.correlation >= 0.9)
    }

    @Test func parleyVP8IntoFFmpeg() async throws {
        let folder = Self.directory()
        let port = try LoopbackUDPSocket.freeEvenPort()
        try FFmpeg.sdp(media: "video", port: port, payloadType: 96, rtpmap: "VP8/90000")
            .write(toFile: "\(folder)/vp8.sdp", atomically: true, encoding: .utf8)
        let ffmpeg = try FFmpeg.start(FFmpeg.rtpInputOptions + [
            "-i", "\(folder)/vp8.sdp", "-f", "yuv4mpegpipe", "-pix_fmt", "yuv420p", "\(folder)/out.y4m",
        ], log: "\(folder)/ffmpeg.log")
        #expect(try await FFmpeg.waitUntilListening(port: port, seconds: FFmpeg.patienceSeconds), "ffmpeg did not open UDP port \(port)")
        let pattern = TestPatternGenerator(width: 640, height: 480)
        let encoder = try VP8VideoEncoder(settings: VP8EncoderSettings(width: 640, height: 480, bitrate: 1_000_000, frameRate: 30))
        var packetizer = VP8Packetizer(sequencer: RTPSequencer(ssrc: 0xBEEF, payloadType: 96, firstSequenceNumber: 65530))
        let sender = try LoopbackUDPSocket()
        for index in 0 ..< 60 {
            for frame in try encoder.encode(pattern.frame(index), timestamp: Int64(index * 3000)) {
                for packet in packetizer.packetize(frame: frame.data, timestamp: UInt32(truncatingIfNeeded: frame.timestamp)) {
                    sender.send(try packet.serialized(), toPort: port)
                }
            }
            // Never more than one frame ahead of ffmpeg, so a slow ffmpeg loses no datagram.
            #expect(try await FFmpeg.waitUntilRead(port: port, seconds: FFmpeg.patienceSeconds), "ffmpeg stopped reading")
        }
        #expect(try await FFmpeg.endRTPInput(port: port, ssrc: 0xBEEF, sender: sender), "ffmpeg did not read the stream")
        #expect(FFmpeg.wait(ffmpeg, seconds: FFmpeg.patienceSeconds))
        let reader = try Y4MReader(path: "\(folder)/out.y4m")
        #expect(reader.header.width == 640 && reader.header.height == 480)
        var psnrs: [Double] = []
        var numbers: [Int] = []
        while let frame = try reader.nextFrame() {
            guard let number = pattern.readFrameNumber(from: frame) else { continue }
            numbers.append(number)
            psnrs.append(frame.psnr(comparedTo: pattern.frame(number)))
        }
        let average = psnrs.reduce(0, +) / Double(max(psnrs.count, 1))
        print("Parley → ffmpeg VP8 640x480: \(numbers.count) frames read back, average PSNR \(average) dB")
        #expect(numbers.count >= 30)
        #expect(numbers == numbers.sorted())
        #expect(average >= 30)
    }

    @Test func ffmpegVP8IntoParley() throws {
        let folder = Self.directory()
        let pattern = TestPatternGenerator(width: 320, height: 240)
        do {
            let sink = try Y4MFileSink(path: "\(folder)/clip.y4m", width: 320, height: 240, frameRate: 30)
            for index in 0 ..< 45 { try sink.write(pattern.frame(index)) }
            try sink.finish()
        }
        let socket = try LoopbackUDPSocket()
        let ffmpeg = try FFmpeg.start([
            "-re", "-i", "\(folder)/clip.y4m", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "600k",
            "-payload_type", "96", "-f", "rtp", "rtp://127.0.0.1:\(socket.port)",
        ], log: "\(folder)/ffmpeg.log")
        var assembler = VP8FrameAssembler()
        let decoder = try VP8VideoDecoder()
        var numbers: [Int] = []
        var psnrs: [Double] = []
        var largest = 0
        for datagram in socket.receiveAll(while: ffmpeg) {
            guard MultiplexedPacketKind.classify(datagram) == .rtp else { continue }
            largest = max(largest, datagram.count)
            for frame in try assembler.insert(RTPPacket(parsing: datagram)) {
                for picture in try decoder.decode(frame.data) {
                    let number = pattern.readFrameNumber(from: picture) ?? -1
                    numbers.append(number)
                    if number >= 0 { psnrs.append(picture.psnr(comparedTo: pattern.frame(number))) }
                }
            }
        }
        #expect(FFmpeg.wait(ffmpeg, seconds: 5))
        let average = psnrs.reduce(0, +) / Double(max(psnrs.count, 1))
        print("ffmpeg → Parley VP8 320x240: frames \(numbers.count), largest packet \(largest) bytes, average PSNR \(average) dB")
        #expect(numbers == Array(0 ..< 45))
        #expect(assembler.framesDropped == 0)
        #expect(average >= 30)
    }
}
