// Writes the seed corpus of StreamFuzz.swift (Tests/Fuzz/corpus/stream) with Parley's own
// senders: SDPs as `parley stream send` writes them, then the datagrams its VP8 and Opus
// stream senders put on the wire (RTP, SRTP, RTCP SR and BYE), plus hostile keyframes.
//   swiftc -parse-as-library $(MEDIA_FLAGS) Sources/ParleyMedia/*/*.swift Tests/Fuzz/MakeStreamCorpus.swift -o /tmp/make-stream-corpus
//   /tmp/make-stream-corpus Tests/Fuzz/corpus/stream
import Foundation
#if canImport(ParleyMedia)
import ParleyMedia
#endif

@main
struct MakeStreamCorpus {
    /// [length high][length low][flags: advance ms << 1 | video][bytes]
    static func record(_ datagram: [UInt8], video: Bool, advanceMilliseconds: Int) -> [UInt8] {
        [UInt8(datagram.count >> 8), UInt8(datagram.count & 0xFF), UInt8(min(advanceMilliseconds, 127) << 1 | (video ? 1 : 0))] + datagram
    }

    static func videoDatagrams(_ media: MediaDescription, width: Int = 64, height: Int = 48, frames: Int = 3) throws -> [[UInt8]] {
        let sender = try VideoStreamSender(
            description: media, settings: VP8EncoderSettings(width: width, height: height, bitrate: 200_000, frameRate: 30), canonicalName: "seed")
        let pattern = width >= 64 && height >= 48 ? TestPatternGenerator(width: width, height: height) : nil
        var result: [[UInt8]] = []
        for index in 0 ..< frames {
            let now = 1_000_000_000 + UInt64(index) * 33_333_333
            result += try sender.send(CapturedVideoFrame(frame: pattern?.frame(index) ?? I420Frame(width: width, height: height), captureTime: now, index: UInt64(index)), nowNanoseconds: now)
        }
        result.append(try sender.goodbye(nowNanoseconds: 1_200_000_000))
        return result
    }

    static func audioDatagrams(_ media: MediaDescription, frames: Int = 6) throws -> [[UInt8]] {
        let sender = try AudioStreamSender(description: media, canonicalName: "seed")
        var result: [[UInt8]] = []
        for index in 0 ..< frames {
            let samples = (0 ..< VoiceFormat.samplesPerFrame).map { Int16(8000 * sin(Double(index * 960 + $0) * 2 * .pi * 440 / 48000)) }
            let now = 1_000_000_000 + UInt64(index) * 20_000_000
            result += try sender.send(samples: samples, captureTime: now, nowNanoseconds: now)
        }
        result.append(try sender.goodbye(nowNanoseconds: 1_200_000_000))
        return result
    }

    static func main() throws {
        let folder = CommandLine.arguments.dropFirst().first ?? "Tests/Fuzz/corpus/stream"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func write(_ name: String, sdp: SessionDescription, _ datagrams: [[UInt8]], video: [Bool], advance: Int) throws {
            var bytes = Array(sdp.text.utf8) + [0]
            for (index, datagram) in datagrams.enumerated() { bytes += record(datagram, video: video[index], advanceMilliseconds: advance) }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)"))
        }
        let vp8 = MediaDescription.vp8(port: 5006)
        let opus = MediaDescription.opus(port: 5004)
        let video = try videoDatagrams(vp8)
        let audio = try audioDatagrams(opus)
        try write("vp8-keyframe-and-deltas", sdp: SessionDescription(connectionAddress: "127.0.0.1", media: [vp8]), video,
                  video: video.map { _ in true }, advance: 11)
        try write("opus-packets", sdp: SessionDescription(connectionAddress: "127.0.0.1", media: [opus]), audio,
                  video: audio.map { _ in false }, advance: 20)
        let both = SessionDescription(connectionAddress: "127.0.0.1", media: [opus, vp8])
        let interleaved = zip(audio, video).flatMap { [($0, false), ($1, true)] }
        try write("opus-and-vp8", sdp: both, interleaved.map(\.0), video: interleaved.map(\.1), advance: 10)
        // SRTP: the same, protected with a key the SDP carries.
        let key = try SRTPKeyingMaterial(bytes: Array(1 ... 30))
        let secureVideo = MediaDescription.vp8(port: 5006, srtpKey: key)
        let secure = try videoDatagrams(secureVideo, frames: 2)
        try write("srtp-vp8", sdp: SessionDescription(connectionAddress: "127.0.0.1", media: [secureVideo]), secure,
                  video: secure.map { _ in true }, advance: 15)
        // ffmpeg's way: RTCP on port + 1, no rtcp-mux.
        let ffmpegSDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\na=tool:libavformat\r\n"
            + "m=video 5006 RTP/AVP 96\r\nb=AS:400\r\na=rtpmap:96 VP8/90000\r\n"
        var ffmpeg = Array(ffmpegSDP.utf8) + [0]
        for datagram in video { ffmpeg += record(datagram, video: true, advanceMilliseconds: 33) }
        try Data(ffmpeg).write(to: URL(fileURLWithPath: "\(folder)/ffmpeg-sdp-vp8"))
        // Hostile: the keyframe of the first seed declaring 1x2 and 16383x16383 pixels.
        for (name, width, height) in [("vp8-keyframe-1x2", 1, 2), ("vp8-keyframe-16383x16383", 16383, 16383)] {
            let small = try videoDatagrams(vp8, width: 16, height: 16, frames: 1)
            var first = small[0]
            // RTP header 12 bytes, VP8 descriptor 4 bytes (X, I with a 15-bit PictureID), frame tag 3, start code 3.
            let size = 12 + 4 + 6
            guard first.count > size + 4, first[size - 3 ..< size] == [0x9D, 0x01, 0x2A] else { fatalError("unexpected packet layout") }
            first[size] = UInt8(width & 0xFF)
            first[size + 1] = UInt8(width >> 8)
            first[size + 2] = UInt8(height & 0xFF)
            first[size + 3] = UInt8(height >> 8)
            try write(name, sdp: SessionDescription(connectionAddress: "127.0.0.1", media: [vp8]), [first] + small.dropFirst(),
                      video: Array(repeating: true, count: small.count), advance: 5)
        }
    }
}
