import Testing
@testable import ParleyMedia

@Suite("SDP")
struct SessionDescriptionTests {
    @Test func parleysOwnDescriptionRoundTrips() throws {
        let key = try SRTPKeyingMaterial(bytes: Array(0 ..< 30))
        let description = SessionDescription(
            connectionAddress: "127.0.0.1", media: [.opus(port: 5004, srtpKey: key), .vp8(port: 5006, srtpKey: key)])
        let text = description.text
        #expect(text.contains("m=audio 5004 RTP/SAVPF 111\r\n"))
        #expect(text.contains("a=rtpmap:111 opus/48000/2\r\n"))
        #expect(text.contains("a=rtpmap:96 VP8/90000\r\n"))
        #expect(text.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(key.sdpInline)\r\n"))
        #expect(try SessionDescription(parsing: text) == description)
    }

    @Test func ffmpegsDescriptionIsUnderstood() throws {
        let text = """
            v=0
            o=- 0 0 IN IP4 127.0.0.1
            s=No Name
            t=0 0
            a=tool:libavformat LIBAVFORMAT_VERSION
            m=audio 20000 RTP/AVP 111
            c=IN IP4 127.0.0.1
            b=AS:32
            a=rtpmap:111 opus/48000/2
            a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
            m=video 20002 RTP/AVP 96
            c=IN IP4 127.0.0.1
            b=AS:500
            a=rtpmap:96 VP8/90000

            """
        let description = try SessionDescription(parsing: text)
        #expect(description.connectionAddress == "127.0.0.1")
        let audio = try #require(description.audio)
        #expect(audio.port == 20000 && audio.payloadType == 111 && audio.clockRate == 48000 && audio.channels == 2)
        #expect(!audio.rtcpMultiplexed && audio.rtcpPort == 20001)
        #expect(audio.srtpKey != nil)
        let video = try #require(description.video)
        #expect(video.port == 20002 && video.payloadType == 96 && video.encodingName == "VP8" && video.srtpKey == nil)
    }

    @Test func thePayloadTypeIsChosenByCodecName() throws {
        let text = "v=0\nc=IN IP6 ::1\nm=audio 7000 RTP/AVP 0 8 109\na=rtpmap:109 OPUS/48000/2\na=rtcp:7010\nm=text 7002 RTP/AVP 98\n"
        let description = try SessionDescription(parsing: text)
        #expect(description.connectionAddress == "::1")
        #expect(description.media.count == 1)
        #expect(description.audio?.payloadType == 109)
        #expect(description.audio?.rtcpPort == 7010)
    }

    @Test func badDescriptionsSayWhatIsWrong() {
        #expect(throws: SessionDescriptionError.missingLine("v=0 (is this an SDP file?)")) { _ = try SessionDescription(parsing: "s=x\nc=IN IP4 1.2.3.4\n") }
        #expect(throws: SessionDescriptionError.malformedLine(number: 1, line: "hello", reason: "an SDP line is TYPE=VALUE")) {
            _ = try SessionDescription(parsing: "hello\n")
        }
        #expect(throws: SessionDescriptionError.self) { try SessionDescription(parsing: "v=0\nc=IN IP4 1.2.3.4\nm=audio x RTP/AVP 111\n") }
        #expect(throws: SessionDescriptionError.unsupportedCodec(media: "audio", line: 3, offered: ["0 PCMU"])) {
            try SessionDescription(parsing: "v=0\nc=IN IP4 1.2.3.4\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n")
        }
        #expect(throws: SessionDescriptionError.noUsableMedia) { try SessionDescription(parsing: "v=0\nc=IN IP4 1.2.3.4\nm=audio 0 RTP/AVP 111\n") }
        #expect(throws: SessionDescriptionError.unsupportedCryptoSuite("AEAD_AES_256_GCM")) {
            try SessionDescription(parsing: "v=0\nc=IN IP4 1.2.3.4\nm=audio 5004 RTP/SAVP 111\na=rtpmap:111 opus/48000/2\na=crypto:1 AEAD_AES_256_GCM inline:AAAA\n")
        }
        let message = SessionDescriptionError.unsupportedCodec(media: "video", line: 7, offered: ["97 H264"]).description
        #expect(message.contains("97 H264") && message.contains("VP8"))
    }

    @Test func sourcesAndSinksAreParsed() throws {
        #expect(try AudioSourceSpecifier(parsing: "alsa") == .alsa(device: "default"))
        #expect(try AudioSourceSpecifier(parsing: "alsa:hw:1,0") == .alsa(device: "hw:1,0"))
        #expect(try AudioSourceSpecifier(parsing: "wav:/tmp/a.wav") == .wav(path: "/tmp/a.wav", loops: false))
        #expect(try VideoSourceSpecifier(parsing: "pattern") == .pattern(width: 640, height: 480))
        #expect(try VideoSourceSpecifier(parsing: "pattern:1280x720") == .pattern(width: 1280, height: 720))
        #expect(try VideoSourceSpecifier(parsing: "v4l2") == .camera(path: "/dev/video0"))
        #expect(try AudioSinkSpecifier(parsing: "wav:out.wav") == .wav(path: "out.wav"))
        #expect(try VideoSinkSpecifier(parsing: "y4m:out.y4m") == .y4m(path: "out.y4m"))
        #expect(throws: MediaSpecifierError.self) { try VideoSourceSpecifier(parsing: "pattern:641x480") }
        #expect(throws: MediaSpecifierError.self) { try AudioSourceSpecifier(parsing: "mp3:song.mp3") }
        #expect(throws: MediaSpecifierError.self) { try VideoSinkSpecifier(parsing: "y4m:") }
    }
}

@Suite("RTCP report interval")
struct RTCPIntervalSchedulerTests {
    @Test func intervalsFollowRFC3550() {
        // Video at 256 kb/s: the sender's share (25 % of 5 %) carries a 128-byte report in
        // 0.32 s, so the 1 s minimum rules; the first report comes after half of it.
        var scheduler = RTCPIntervalScheduler(minimumInterval: 1_000_000_000, sessionBandwidth: 256_000, isSender: true, seed: 7)
        #expect(scheduler.deterministicInterval == 500_000_000)
        let dueAtStart = scheduler.isDue(nowNanoseconds: 0)
        #expect(!dueAtStart)
        let first = scheduler.nextReport ?? 0
        #expect(first >= UInt64(0.5 * 500e6 / 1.21828) && first <= UInt64(1.5 * 500e6 / 1.21828))
        var intervals: [Double] = []
        var now = first
        for _ in 0 ..< 2000 {
            let due = scheduler.isDue(nowNanoseconds: now)
            #expect(due)
            scheduler.didSend(size: 100, nowNanoseconds: now)
            let next = scheduler.nextReport ?? 0
            intervals.append(Double(next - now) / 1e9)
            now = next
        }
        #expect(intervals.allSatisfy { $0 >= 0.5 / 1.21828 - 1e-9 && $0 <= 1.5 / 1.21828 + 1e-9 })
        let mean = intervals.reduce(0, +) / Double(intervals.count)
        #expect(abs(mean - 1 / 1.21828) < 0.02)
        // At 48 kb/s (audio) the bandwidth share, not the minimum, sets the interval:
        // 100 bytes at 75 bytes/s.
        let slow = RTCPIntervalScheduler(minimumInterval: 1_000_000_000, sessionBandwidth: 48_000, isSender: true)
        #expect(slow.deterministicInterval == 1_333_333_333)
    }
}
