import Foundation
import ParleyMedia
import ParleyStream
import Testing

/// Two `CallMediaSession`s talking in one process: over loopback UDP for the real-time
/// figures, straight from one to the other for the rest. Real time, a few seconds each,
/// one test at a time (the machine has two cores).
@Suite("Call media session", .serialized)
struct CallMediaSessionTests {
    /// Seconds since `start` on the monotonic clock.
    static func seconds(since start: UInt64) -> Double {
        Double(MonotonicClock().nowNanoseconds() - start) / 1e9
    }

    /// Two sessions on loopback UDP, each sending speech and a test-pattern clip of its own
    /// for 6 s and recording what it receives: each side's WAV carries the other's speech,
    /// each side's Y4M the other's pictures. B learns A's address from A's first
    /// authenticated datagram.
    @Test(.timeLimit(.minutes(1)))
    func twoWayCallOverUDP() async throws {
        let folder = try CallFixtures.folder("two-way")
        let speechA = try CallFixtures.writeSpeech(to: "\(folder)/a.wav", seconds: 8, pitch: 160, syllablesPerSecond: 4)
        let speechB = try CallFixtures.writeSpeech(to: "\(folder)/b.wav", seconds: 8, pitch: 110, syllablesPerSecond: 3)
        try CallFixtures.writePatternClip(to: "\(folder)/a.y4m", width: 320, height: 240, frames: 240)
        try CallFixtures.writePatternClip(to: "\(folder)/b.y4m", width: 256, height: 192, frames: 240)
        let (planA, planB) = CallFixtures.plans()
        #expect(planA.sendKey != planA.receiveKey)
        #expect(planA.sendKey == planB.receiveKey && planB.sendKey == planA.receiveKey)

        let transportA = try await UDPMediaTransport.bind()
        let transportB = try await UDPMediaTransport.bind()
        transportA.remote = transportB.localAddress
        let errorsA = DeviceErrors(), errorsB = DeviceErrors()
        let a = try CallMediaSession(
            plan: planA, audioSource: try WAVFileSource(path: "\(folder)/a.wav", loops: true), audioSink: try WAVFileSink(path: "\(folder)/a-heard.wav"),
            videoSource: try Y4MFileSource(path: "\(folder)/a.y4m"), videoSink: Y4MFileSink(path: "\(folder)/a-saw.y4m"),
            transport: transportA, voiceProcessing: false, onDeviceError: errorsA.handler)
        let b = try CallMediaSession(
            plan: planB, audioSource: try WAVFileSource(path: "\(folder)/b.wav", loops: true), audioSink: try WAVFileSink(path: "\(folder)/b-heard.wav"),
            videoSource: try Y4MFileSource(path: "\(folder)/b.y4m"), videoSink: Y4MFileSink(path: "\(folder)/b-saw.y4m"),
            transport: transportB, voiceProcessing: false, onDeviceError: errorsB.handler)
        transportA.deliver(to: a)
        transportB.deliver(to: b)
        #expect(a.lastReceivedNanoseconds == nil)
        b.start()
        a.start()
        try await Task.sleep(for: .seconds(6))
        let statisticsA = a.statistics(), statisticsB = b.statistics()
        a.stop()
        try await Task.sleep(for: .milliseconds(200))
        b.stop()
        try await transportA.close()
        try await transportB.close()

        #expect(transportB.remote != nil, "B learned A's address from an authenticated datagram")
        #expect(a.lastReceivedNanoseconds != nil && b.lastReceivedNanoseconds != nil)
        #expect(errorsA.all.isEmpty && errorsB.all.isEmpty, "\(errorsA.all) \(errorsB.all)")
        for (name, statistics) in [("A", statisticsA), ("B", statisticsB)] {
            print("\(name): \(String(decoding: try JSONEncoder().encode(statistics), as: UTF8.self))")
            #expect(statistics.datagramsRejected == 0)
            #expect(statistics.sendFailures == 0)
            #expect((statistics.sent[.audio]?.packetsSent ?? 0) > 250)
            #expect((statistics.sent[.video]?.framesSent ?? 0) > 150)
            #expect((statistics.received[.audio]?.framesDecoded ?? 0) > 250)
            #expect((statistics.received[.video]?.framesDecoded ?? 0) > 150)
            #expect((statistics.sent[.audio]?.receiverReportsReceived ?? 0) > 0, "RTCP RRs reach the sender")
            #expect(statistics.videoLeadMilliseconds != nil, "lip sync measured from both streams' SRs")
        }
        #expect(b.statistics().received[.audio]?.byeReceived == true, "A's BYE reached B")

        // Audio: each side hears the other's speech.
        let heardByB = try WAVFile.read(path: "\(folder)/b-heard.wav").samples
        let heardByA = try WAVFile.read(path: "\(folder)/a-heard.wav").samples
        // The sink's 20 ms clock runs from start to stop: 6 s (± scheduling) of audio.
        #expect(abs(Double(heardByB.count) / 48000 - 6.2) < 0.3, "B recorded \(heardByB.count) samples")
        #expect(abs(Double(heardByA.count) / 48000 - 6.0) < 0.3, "A recorded \(heardByA.count) samples")
        let spokenByA = Array(speechA.prefix(5 * 48000)), spokenByB = Array(speechB.prefix(5 * 48000))
        #expect(CallAnalysis.speechArrived(spokenByA, heardByB, "A → B").passed)
        #expect(CallAnalysis.speechArrived(spokenByB, heardByA, "B → A").passed)

        // Video: each side sees the other's clip, every frame with a legible counter ≥ 30 dB.
        for (label, path, width) in [("A → B", "\(folder)/b-saw.y4m", 320), ("B → A", "\(folder)/a-saw.y4m", 256)] {
            let frames = try CallAnalysis.patternFrames(in: path)
            let readable = frames.compactMap { $0.number == nil ? nil : $0.psnr }
            let minimum = readable.min() ?? 0, average = readable.reduce(0, +) / Double(max(1, readable.count))
            print("\(label) video: \(frames.count) frames, \(readable.count) readable, PSNR min \(minimum) dB, average \(average) dB")
            #expect(try Y4MReader(path: path).header.width == width)
            #expect(frames.count > 150)
            #expect(readable.count >= frames.count * 9 / 10)
            #expect(minimum >= 30)
        }
    }

    /// Each of the four switches, one after the other on one call over loopback UDP: A stops
    /// and resumes sending audio and video, then B stops and resumes receiving them. The
    /// statistics show no packets (or no played frames) while stopped and packets again
    /// after; B's recording is silent where A stopped sending audio and where B stopped
    /// receiving it; video comes back with a keyframe both times.
    @Test(.timeLimit(.minutes(1)))
    func stoppingAndResumingEachDirection() async throws {
        let folder = try CallFixtures.folder("switches")
        _ = try CallFixtures.writeSpeech(to: "\(folder)/a.wav", seconds: 10, pitch: 160, syllablesPerSecond: 4)
        let (planA, planB) = CallFixtures.plans()
        let transportA = try await UDPMediaTransport.bind()
        let transportB = try await UDPMediaTransport.bind()
        transportA.remote = transportB.localAddress
        transportB.remote = transportA.localAddress
        let pictures = CountingVideoSink()
        let a = try CallMediaSession(
            plan: planA, audioSource: try WAVFileSource(path: "\(folder)/a.wav", loops: true), audioSink: nil,
            videoSource: TestPatternSource(width: 320, height: 240), videoSink: nil,
            transport: transportA, voiceProcessing: false, onDeviceError: { _ in })
        let b = try CallMediaSession(
            plan: planB, audioSource: nil, audioSink: try WAVFileSink(path: "\(folder)/b-heard.wav"), videoSource: nil, videoSink: pictures,
            transport: transportB, voiceProcessing: false, onDeviceError: { _ in })
        transportA.deliver(to: a)
        transportB.deliver(to: b)
        let start = MonotonicClock().nowNanoseconds()
        b.start()
        a.start()
        try await Task.sleep(for: .seconds(1.2))

        // 1. A stops sending audio and video.
        let stopSending = Self.seconds(since: start)
        a.setSending(.audio, false)
        a.setSending(.video, false)
        #expect(a.statistics().sending[.audio] == false && a.statistics().sending[.video] == false)
        try await Task.sleep(for: .milliseconds(200))
        let sentWhenStopped = a.statistics().sent
        let heardWhenStopped = b.lastReceivedNanoseconds ?? 0
        try await Task.sleep(for: .seconds(1.5))
        let sentBeforeResuming = a.statistics().sent
        #expect(sentBeforeResuming[.audio]?.packetsSent == sentWhenStopped[.audio]?.packetsSent)
        #expect(sentBeforeResuming[.video]?.packetsSent == sentWhenStopped[.video]?.packetsSent)
        #expect((b.lastReceivedNanoseconds ?? 0) > heardWhenStopped, "RTCP kept the call alive while A sent no media")

        // 2. A resumes: packets again, video with a keyframe.
        let resumeSending = Self.seconds(since: start)
        a.setSending(.audio, true)
        a.setSending(.video, true)
        try await Task.sleep(for: .milliseconds(800))
        let sentAfterResuming = a.statistics().sent
        #expect((sentAfterResuming[.audio]?.packetsSent ?? 0) > (sentBeforeResuming[.audio]?.packetsSent ?? 0) + 30)
        #expect((sentAfterResuming[.video]?.packetsSent ?? 0) > (sentBeforeResuming[.video]?.packetsSent ?? 0) + 20)
        #expect((sentAfterResuming[.video]?.keyframesSent ?? 0) > (sentBeforeResuming[.video]?.keyframesSent ?? 0))

        // 3. B stops receiving audio and video: packets still arrive, none is played.
        let stopReceiving = Self.seconds(since: start)
        b.setReceiving(.audio, false)
        b.setReceiving(.video, false)
        try await Task.sleep(for: .milliseconds(200))
        let receivedWhenStopped = b.statistics().received
        let picturesWhenStopped = pictures.frames
        try await Task.sleep(for: .seconds(1.5))
        let receivedBeforeResuming = b.statistics().received
        #expect(receivedBeforeResuming[.audio]?.framesDecoded == receivedWhenStopped[.audio]?.framesDecoded)
        #expect(receivedBeforeResuming[.video]?.framesDecoded == receivedWhenStopped[.video]?.framesDecoded)
        #expect(pictures.frames == picturesWhenStopped)
        #expect((receivedBeforeResuming[.audio]?.packetsReceived ?? 0) > (receivedWhenStopped[.audio]?.packetsReceived ?? 0) + 50)
        #expect((receivedBeforeResuming[.audio]?.packetsDiscarded ?? 0) > 50)
        #expect((receivedBeforeResuming[.video]?.packetsDiscarded ?? 0) > 30)
        let keyframeRequestsBefore = receivedBeforeResuming[.video]?.keyframeRequestsSent ?? 0

        // 4. B resumes: frames decoded again; video after a keyframe B asked for.
        let resumeReceiving = Self.seconds(since: start)
        b.setReceiving(.audio, true)
        b.setReceiving(.video, true)
        try await Task.sleep(for: .milliseconds(1000))
        let receivedAfterResuming = b.statistics().received
        let sentAtEnd = a.statistics().sent
        a.stop()
        b.stop()
        try await transportA.close()
        try await transportB.close()
        #expect((receivedAfterResuming[.audio]?.framesDecoded ?? 0) > (receivedBeforeResuming[.audio]?.framesDecoded ?? 0) + 20)
        #expect((receivedAfterResuming[.video]?.framesDecoded ?? 0) > (receivedBeforeResuming[.video]?.framesDecoded ?? 0) + 10)
        #expect(pictures.frames > picturesWhenStopped + 10)
        #expect((receivedAfterResuming[.video]?.keyframeRequestsSent ?? 0) > keyframeRequestsBefore, "B asked for a keyframe after the gap")
        #expect((sentAtEnd[.video]?.keyframeRequestsReceived ?? 0) > 0, "A got the PLI")
        print("switches: A sent \(sentAtEnd.mapValues(\.packetsSent)); B received \(receivedAfterResuming.mapValues { ($0.packetsReceived, $0.framesDecoded, $0.packetsDiscarded ?? 0) })")
        print("switches at \(stopSending), \(resumeSending), \(stopReceiving), \(resumeReceiving) s")

        // B's recording: speech, silence once A's audio stopped (after up to 0.5 s of
        // concealment), speech again, silence while B did not receive, speech again.
        let heard = try WAVFile.read(path: "\(folder)/b-heard.wav").samples
        let peaks = [
            CallAnalysis.peak(heard, from: 0.3, to: stopSending),
            CallAnalysis.peak(heard, from: stopSending + 0.7, to: resumeSending),
            CallAnalysis.peak(heard, from: resumeSending + 0.3, to: stopReceiving),
            CallAnalysis.peak(heard, from: stopReceiving + 0.1, to: resumeReceiving),
            CallAnalysis.peak(heard, from: resumeReceiving + 0.3, to: resumeReceiving + 0.9),
        ]
        print("switches: peaks of B's recording per phase \(peaks)")
        #expect(peaks[0] > 3000 && peaks[2] > 3000 && peaks[4] > 3000)
        #expect(peaks[1] == 0, "silence where A stopped sending audio")
        #expect(peaks[3] == 0, "silence where B stopped receiving audio")
    }

    /// Nothing B did not expect gets through: a datagram protected with a wrong key, one
    /// with the right key but another SSRC or payload type, RTCP from an unknown SSRC, and
    /// bytes that are not RTP at all are each rejected and counted; one good packet is
    /// accepted and marks the peer alive.
    @Test(.timeLimit(.minutes(1)))
    func unexpectedDatagramsAreRejectedAndCounted() async throws {
        let (planA, planB) = CallFixtures.plans()
        let transport = DirectTransport()
        let b = try CallMediaSession(
            plan: planB, audioSource: nil, audioSink: nil, videoSource: nil, videoSink: nil,
            transport: transport, voiceProcessing: false, onDeviceError: { _ in })
        b.start()
        defer { b.stop() }
        let right = try SRTPSession(keying: planA.sendKey, direction: .outbound)
        let wrong = try SRTPSession(keying: .random(), direction: .outbound)
        func rtp(payloadType: UInt8, ssrc: UInt32, sequence: UInt16) throws -> [UInt8] {
            try RTPPacket(header: RTPHeader(payloadType: payloadType, sequenceNumber: sequence, timestamp: 960 * UInt32(sequence), ssrc: ssrc), payload: [0xF8, 0xFF, 0xFE]).serialized()
        }
        b.receive(try wrong.protect(try rtp(payloadType: 111, ssrc: planA.localAudioSSRC, sequence: 1)))
        b.receive(try right.protect(try rtp(payloadType: 111, ssrc: 12345, sequence: 1)))
        b.receive(try right.protect(try rtp(payloadType: 50, ssrc: planA.localAudioSSRC, sequence: 2)))
        b.receive(try right.protectRTCP(try RTCPPacket.serializeCompound([.receiverReport(RTCPReceiverReport(ssrc: 777))])))
        b.receive([0x80, 0x6F, 0x00])
        b.receive([UInt8](repeating: 0x80, count: 40))
        try await Task.sleep(for: .milliseconds(300))
        var statistics = b.statistics()
        #expect(statistics.datagramsRejected == 6)
        #expect(statistics.received[.audio]?.packetsRejected == 1, "the right payload type from another SSRC counts for audio")
        #expect(statistics.received[.audio]?.packetsReceived == 0)
        #expect(b.lastReceivedNanoseconds == nil, "nothing authenticated yet")

        let good = try right.protect(try rtp(payloadType: 111, ssrc: planA.localAudioSSRC, sequence: 3))
        b.receive(good)
        try await Task.sleep(for: .milliseconds(300))
        statistics = b.statistics()
        #expect(statistics.datagramsRejected == 6)
        #expect(statistics.received[.audio]?.packetsReceived == 1)
        #expect(b.lastReceivedNanoseconds != nil)
        // The same packet again is a replay: rejected.
        b.receive(good)
        try await Task.sleep(for: .milliseconds(200))
        #expect(b.statistics().datagramsRejected == 7)
    }

    /// A peer that holds the key but sends garbage inside it: random RTP of both payload
    /// types from the right SSRCs (random header bits, sequence numbers, timestamps and
    /// payloads) and random RTCP after a right SSRC. Everything reaches the parsers, the
    /// jitter buffer, the frame assembler and the decoders; nothing traps, and the session
    /// goes on playing its 20 ms clock and stops cleanly.
    @Test(.timeLimit(.minutes(1)))
    func aHostilePeerWithTheKeyCannotCrashTheSession() async throws {
        let folder = try CallFixtures.folder("hostile")
        let (planA, planB) = CallFixtures.plans()
        let pictures = CountingVideoSink()
        let b = try CallMediaSession(
            plan: planB, audioSource: nil, audioSink: try WAVFileSink(path: "\(folder)/b-heard.wav"), videoSource: nil, videoSink: pictures,
            transport: DirectTransport(), voiceProcessing: false, onDeviceError: { _ in })
        let start = MonotonicClock().nowNanoseconds()
        b.start()
        let srtp = try SRTPSession(keying: planA.sendKey, direction: .outbound)
        var generator = SystemRandomNumberGenerator()
        var protected = 0
        for round in 0 ..< 3000 {
            var bytes = (0 ..< Int.random(in: 12 ... 1400, using: &generator)).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
            let isRTCP = round % 5 == 4
            if isRTCP {
                bytes[0] = 0x80 | (bytes[0] & 0x3F)
                bytes[1] = UInt8.random(in: 200 ... 206, using: &generator)
                let ssrc = round % 2 == 0 ? planA.localAudioSSRC : planA.localVideoSSRC
                bytes.replaceSubrange(4 ..< 8, with: withUnsafeBytes(of: ssrc.bigEndian, Array.init))
            } else {
                let video = round % 2 == 0
                bytes[0] = 0x80 | (bytes[0] & 0x3F)
                bytes[1] = (bytes[1] & 0x80) | (video ? 96 : 111)
                let ssrc = video ? planA.localVideoSSRC : planA.localAudioSSRC
                bytes.replaceSubrange(8 ..< 12, with: withUnsafeBytes(of: ssrc.bigEndian, Array.init))
            }
            guard let datagram = try? (isRTCP ? srtp.protectRTCP(bytes) : srtp.protect(bytes)) else { continue }
            protected += 1
            b.receive(datagram)
            if round % 100 == 99 { try await Task.sleep(for: .milliseconds(20)) }
        }
        try await Task.sleep(for: .milliseconds(300))
        let statistics = b.statistics()
        b.stop()
        let seconds = Double(MonotonicClock().nowNanoseconds() - start) / 1e9
        let heard = try WAVFile.read(path: "\(folder)/b-heard.wav").samples
        print("hostile: \(protected) protected datagrams in \(seconds) s; rejected \(statistics.datagramsRejected), dropped \(statistics.datagramsDropped); audio \(statistics.received[.audio].map { ($0.packetsReceived, $0.packetsRejected, $0.decoderErrors) } as Any); video \(statistics.received[.video].map { ($0.packetsReceived, $0.framesDecoded, $0.decoderErrors) } as Any); \(pictures.frames) pictures; \(heard.count) samples recorded")
        #expect(protected > 1000)   // libsrtp refuses headers whose CSRC count or extension overruns the packet
        #expect(b.lastReceivedNanoseconds != nil)
        #expect((statistics.received[.audio]?.packetsReceived ?? 0) > 0)
        // The playout clock kept running through it all: one 20 ms frame per tick.
        #expect(abs(Double(heard.count) / 48000 - seconds) < 0.15)
    }

    /// A microphone that fails mid-call: `onDeviceError` hears of it once, audio stops
    /// going out, video goes on.
    @Test(.timeLimit(.minutes(1)))
    func aFailingMicrophoneStopsAudioAndTheCallGoesOn() async throws {
        let (planA, planB) = CallFixtures.plans()
        let toB = DirectTransport(), toA = DirectTransport()
        let errors = DeviceErrors()
        let pictures = CountingVideoSink()
        let a = try CallMediaSession(
            plan: planA, audioSource: FailingMicrophone(frames: 25), audioSink: nil,
            videoSource: TestPatternSource(width: 160, height: 128, frameRate: 15), videoSink: nil,
            transport: toB, voiceProcessing: true, onDeviceError: errors.handler)
        let b = try CallMediaSession(
            plan: planB, audioSource: nil, audioSink: nil, videoSource: nil, videoSink: pictures,
            transport: toA, voiceProcessing: false, onDeviceError: { _ in })
        toB.connect(to: b)
        toA.connect(to: a)
        b.start()
        a.start()
        try await Task.sleep(for: .seconds(1.2))
        let first = a.statistics()
        try await Task.sleep(for: .seconds(0.8))
        let second = a.statistics()
        a.stop()
        b.stop()
        toB.disconnect()
        toA.disconnect()
        #expect(errors.all.count == 1)
        #expect(errors.all.first?.0 == .audio)
        #expect(errors.all.first?.1.contains("device unplugged") == true, "\(errors.all)")
        #expect(second.sending[.audio] == false && second.sending[.video] == true)
        #expect((first.sent[.audio]?.packetsSent ?? 0) >= 20 && (first.sent[.audio]?.packetsSent ?? 0) <= 25)
        #expect(second.sent[.audio]?.packetsSent == first.sent[.audio]?.packetsSent)
        #expect((second.sent[.video]?.packetsSent ?? 0) > (first.sent[.video]?.packetsSent ?? 0) + 5)
        #expect(pictures.frames > 20)
    }

    /// Keys are fresh per call and direction; a plan that reuses one is refused.
    @Test func keysAreFreshAndPlansAreChecked() throws {
        let keys = (0 ..< 4).map { _ in SRTPKeyingMaterial.random() }
        #expect(Set(keys.map(\.bytes)).count == 4)
        #expect(keys.allSatisfy { $0.bytes.count == 30 })
        let (one, _) = CallFixtures.plans()
        let (other, _) = CallFixtures.plans()
        #expect(one.sendKey != other.sendKey && one.receiveKey != other.receiveKey)
        var reused = one
        reused.receiveKey = reused.sendKey
        #expect(throws: CallMediaError.self) {
            _ = try CallMediaSession(
                plan: reused, audioSource: nil, audioSink: nil, videoSource: nil, videoSink: nil,
                transport: DirectTransport(), voiceProcessing: false, onDeviceError: { _ in })
        }
        var sameSSRC = one
        sameSSRC.remoteVideoSSRC = sameSSRC.remoteAudioSSRC
        #expect(sameSSRC.problem != nil)
    }
}
