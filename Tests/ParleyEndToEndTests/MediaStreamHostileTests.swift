import Foundation
import ParleyMedia
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `parley stream receive` against hostile input: plain RTP from anyone (no authentication),
/// SDP files and command-line numbers. The process must live through hostile media, keep
/// its memory bounded, and refuse bad SDPs and options with a clear error and exit code.
@Suite("parley stream: hostile input", .serialized)
struct MediaStreamHostileTests {
    /// A real 16x16 VP8 keyframe whose header declares `width` x `height` instead: libvpx
    /// decodes 1x2 (one macroblock, as 16x16) and allocates for 16383x16383.
    static func keyframePackets(width: Int, height: Int, sequence: UInt16, timestamp: UInt32, pictureID: UInt16) throws -> [[UInt8]] {
        let encoder = try VP8VideoEncoder(settings: VP8EncoderSettings(width: 16, height: 16, bitrate: 100_000, frameRate: 30))
        var frame = try #require(try encoder.encode(I420Frame(width: 16, height: 16), timestamp: 0).first).data
        #expect(frame.count > 10 && frame[3 ..< 6] == [0x9D, 0x01, 0x2A])
        frame[6] = UInt8(width & 0xFF)
        frame[7] = UInt8(width >> 8 & 0x3F)
        frame[8] = UInt8(height & 0xFF)
        frame[9] = UInt8(height >> 8 & 0x3F)
        var packetizer = VP8Packetizer(
            sequencer: RTPSequencer(ssrc: 0xBAD_F00D, payloadType: 96, firstSequenceNumber: sequence), firstPictureID: pictureID)
        return try packetizer.packetize(frame: frame, timestamp: timestamp).map { try $0.serialized() }
    }

    /// Sends `datagrams` from a fresh UDP socket to 127.0.0.1:`port`.
    static func send(_ datagrams: [[UInt8]], to port: Int) throws {
        let descriptor = MediaFixtures.bindUDP(port: 0)
        guard descriptor >= 0 else { throw TimedOut(what: "a UDP socket", seconds: 0) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for datagram in datagrams {
            let sent = datagram.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            #expect(sent == datagram.count)
        }
    }

    /// A `/proc/PID/status` figure in kB (VmRSS, VmHWM: the peak).
    static func memoryKilobytes(_ field: String, of process: BackgroundProcess) -> Int? {
        let status = (try? String(contentsOfFile: "/proc/\(process.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    static func videoStatistics(_ report: [String: Any]?) -> [String: Any] {
        (report?["received"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "video" } ?? [:]
    }

    static func writeSDP(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("A 1x2 and a 16383x16383 VP8 keyframe: the receiver lives, memory stays bounded, both count as decoder errors",
          .timeLimit(.minutes(2)))
    func hostileKeyframesAreRefused() throws {
        let folder = try MediaFixtures.folder("hostile-vp8")
        let port = try MediaFixtures.freeUDPPorts()
        try Self.writeSDP(SessionDescription(connectionAddress: "127.0.0.1", media: [.vp8(port: port)]).text, to: "\(folder)/in.sdp")
        let receiver = try BackgroundProcess.parley(
            ["stream", "receive", "--sdp", "\(folder)/in.sdp", "--video-out", "y4m:\(folder)/seen.y4m", "--duration", "60", "--stats"],
            logs: folder, name: "receiver")
        defer { receiver.interrupt(grace: 5) }
        try MediaFixtures.waitUntilBound(port: port)

        // One RTP frame of 1x2 pixels (was SIGILL: 1 & ~1 = 0 → I420Frame precondition).
        try Self.send(try Self.keyframePackets(width: 1, height: 2, sequence: 100, timestamp: 3000, pictureID: 1), to: port)
        try waitUntil(timeout: 15, "the 1x2 keyframe counted") {
            (Self.videoStatistics(receiver.latestReport)["decoderErrors"] as? Int ?? 0) >= 1 || !receiver.process.isRunning
        }
        #expect(receiver.process.isRunning, "receiver: \(receiver.stderr)")

        // A keyframe declaring 16383x16383 (was: RSS to 938 MB as libvpx allocated for it).
        try Self.send(try Self.keyframePackets(width: 16383, height: 16383, sequence: 101, timestamp: 6000, pictureID: 2), to: port)
        try waitUntil(timeout: 15, "the 16383x16383 keyframe counted") {
            (Self.videoStatistics(receiver.latestReport)["decoderErrors"] as? Int ?? 0) >= 2 || !receiver.process.isRunning
        }
        #expect(receiver.process.isRunning, "receiver: \(receiver.stderr)")
        let peak = Self.memoryKilobytes("VmHWM", of: receiver) ?? .max
        print("hostile VP8: receiver peak RSS \(peak / 1024) MB, now \((Self.memoryKilobytes("VmRSS", of: receiver) ?? 0) / 1024) MB")
        #expect(peak < 200 * 1024, "peak RSS \(peak) kB")

        // A proper keyframe after them is shown.
        try Self.send(try Self.keyframePackets(width: 16, height: 16, sequence: 102, timestamp: 9000, pictureID: 3), to: port)
        try waitUntil(timeout: 15, "a good keyframe decoded") {
            (Self.videoStatistics(receiver.latestReport)["framesDecoded"] as? Int ?? 0) >= 1 || !receiver.process.isRunning
        }
        receiver.interrupt(grace: 10)
        #expect(receiver.process.terminationReason == .exit && receiver.process.terminationStatus == 0, "receiver: \(receiver.stderr)")
        let video = receiver.statistics("received", "video")
        #expect(video["decoderErrors"] as? Int == 2)
        #expect(video["framesDecoded"] as? Int == 1)
        #expect(video["width"] as? Int == 16)
    }

    @Test("Bad SDPs get a clear error and exit code 1, never a crash", arguments: [
        ("m=video 65535 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n", "65536"),
        ("m=video 5006 RTP/AVP 96\r\na=rtpmap:96 VP8/99999999999\r\na=rtcp-mux\r\n", "clock rate 99999999999 Hz"),
        ("m=video 5006 RTP/AVP 96\r\na=rtpmap:96 VP8/0\r\n", "clock rate 0 Hz"),
        ("m=audio 5004 RTP/AVP 111\r\na=rtpmap:111 opus/48000/99\r\n", "channels"),
        ("m=video 70000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n", "m=MEDIA PORT"),
    ])
    func badSDPsAreRefused(media: String, message: String) throws {
        let folder = try MediaFixtures.folder("hostile-sdp")
        try Self.writeSDP("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + media, to: "\(folder)/in.sdp")
        let result = try runParley([
            "stream", "receive", "--sdp", "\(folder)/in.sdp", "--audio-out", "wav:\(folder)/a.wav", "--video-out", "y4m:\(folder)/v.y4m",
            "--duration", "2",
        ])
        #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("crashed"), "\(result.stderr)")
    }

    @Test("Durations that are not a finite number of seconds up to a year are usage errors (exit code 2)",
          arguments: ["1e300", "inf", "nan", "-1", "0", "31536001"])
    func badDurationsAreUsageErrors(duration: String) throws {
        let folder = try MediaFixtures.folder("hostile-duration")
        let port = try MediaFixtures.freeUDPPorts()
        try Self.writeSDP(SessionDescription(connectionAddress: "127.0.0.1", media: [.opus(port: port)]).text, to: "\(folder)/in.sdp")
        let receive = try runParley(["stream", "receive", "--sdp", "\(folder)/in.sdp", "--audio-out", "wav:\(folder)/a.wav", "--duration=\(duration)"])
        #expect(receive.status == 2 && receive.stderr.contains("--duration"), "exit \(receive.status): \(receive.stderr)")
        let send = try runParley(["stream", "send", "--to", "127.0.0.1:\(port)", "--video", "pattern", "--duration=\(duration)"])
        #expect(send.status == 2 && send.stderr.contains("--duration"), "exit \(send.status): \(send.stderr)")
        let benchmark = try runParley(["stream", "benchmark", "--audio-seconds=\(duration)"])
        #expect(benchmark.status == 2 && benchmark.stderr.contains("--audio-seconds"), "exit \(benchmark.status): \(benchmark.stderr)")
    }

    @Test("Other numeric options out of range are usage errors too, never an overflow")
    func numericOptionsAreRangeChecked() throws {
        let huge = "9223372036854775807"
        for arguments in [
            ["--audio", "wav:/nonexistent.wav", "--audio-bitrate", huge], ["--audio", "wav:/nonexistent.wav", "--audio-bitrate", "-\(huge)"],
            ["--video", "pattern", "--video-bitrate", huge], ["--video", "pattern", "--frame-rate", huge], ["--video", "pattern", "--frame-rate", "0"],
        ] {
            let result = try runParley(["stream", "send", "--to", "127.0.0.1:5004"] + arguments)
            #expect(result.status == 2, "\(arguments): exit \(result.status): \(result.stderr)")
        }
        for option in ["--video-seconds", "--latency-seconds"] {
            for value in ["inf", "-1", "601", "nan"] {
                let result = try runParley(["stream", "benchmark", "\(option)=\(value)"])
                #expect(result.status == 2 && result.stderr.contains(option), "\(option) \(value): exit \(result.status): \(result.stderr)")
            }
        }
    }
}
