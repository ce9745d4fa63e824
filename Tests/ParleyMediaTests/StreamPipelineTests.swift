import Foundation
import Testing
@testable import ParleyMedia

/// The stream halves (sender → datagrams → receiver) without sockets: a simulated network
/// on a manual clock.
@Suite("Stream pipelines")
struct StreamPipelineTests {
    /// Sends `seconds` of a tone through a network that loses `lossRate` of the packets
    /// (seeded) and delays the rest by `delay` ms, playing out every 20 ms.
    static func audioThroughNetwork(seconds: Double, lossRate: Double, delay: ClosedRange<Double>, seed: UInt64)
        throws -> (statistics: ReceivedStreamStatistics, lossRuns: [Int])
    {
        let media = MediaDescription.opus(port: 5004)
        let sender = try AudioStreamSender(description: media, canonicalName: "a")
        let receiver = try AudioStreamReceiver(description: media, canonicalName: "b")
        var random = SplitMix64(seed: seed)
        var path = SimulatedPath()
        let frames = Int(seconds * 50)
        var lossRuns: [Int] = []
        var run = 0
        let start: UInt64 = 1_000_000_000
        // Packets are sent at 20 ms steps; playout ticks at 20 ms steps offset by 7 ms.
        for step in 0 ..< frames + 50 {
            let now = start + UInt64(step) * 20_000_000
            if step < frames {
                let samples = (0 ..< 960).map { offset -> Int16 in
                    let time = Double(step * 960 + offset) / 48000
                    return Int16(8000 * sin(2 * Double.pi * 440 * time))
                }
                for datagram in try sender.send(samples: samples, captureTime: now, nowNanoseconds: now)
                where MultiplexedPacketKind.classify(datagram) == .rtp {
                    if random.nextUnitInterval() < lossRate {
                        run += 1
                        continue
                    }
                    if run > 0 { lossRuns.append(run) }
                    run = 0
                    path.send(datagram, arrivingAt: now + UInt64((delay.lowerBound + random.nextUnitInterval() * (delay.upperBound - delay.lowerBound)) * 1e6))
                }
            }
            path.deliver(until: now + 7_000_000) { receiver.receive($0, nowNanoseconds: $1) }
            _ = receiver.playout()
        }
        return (receiver.statistics(nowNanoseconds: start + UInt64(frames + 50) * 20_000_000), lossRuns)
    }

    @Test("10 % loss and 5–35 ms jitter: FEC and PLC keep every gap within 60 ms", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func audioLossKeepsGapsShort(seed: UInt64) throws {
        let (statistics, runs) = try Self.audioThroughNetwork(seconds: 20, lossRate: 0.10, delay: 5 ... 35, seed: seed)
        print("seed \(seed): loss runs \(runs.sorted().suffix(5)), concealed \(statistics.framesConcealed ?? -1), recovered \(statistics.framesRecovered ?? -1), late \(statistics.packetsLate ?? -1), longest gap \(statistics.longestGapMilliseconds ?? -1) ms, target \(statistics.jitterBufferTargetMilliseconds ?? -1)")
        #expect(statistics.decoderErrors == 0)
        #expect((statistics.framesRecovered ?? 0) > 0)
        let longestLoss = runs.max() ?? 0
        // A burst of n lost packets needs n − 1 concealed frames at least (FEC brings back the last).
        #expect((statistics.longestGapMilliseconds ?? .max) <= max(60, (longestLoss - 1) * 20))
    }
}

extension StreamPipelineTests {
    @Test("Video: a lost packet leads to a PLI, the sender answers with a keyframe, the receiver recovers")
    func videoRecoversThroughKeyframeRequests() throws {
        let media = MediaDescription.vp8(port: 5006)
        let sender = try VideoStreamSender(
            description: media, settings: VP8EncoderSettings(width: 320, height: 240, bitrate: 300_000), canonicalName: "a")
        let receiver = try VideoStreamReceiver(description: media, canonicalName: "b")
        let pattern = TestPatternGenerator(width: 320, height: 240)
        var shown: [Int] = []
        var pliSent = 0
        for index in 0 ..< 60 {
            let now = 1_000_000_000 + UInt64(index) * 33_333_333
            let captured = CapturedVideoFrame(frame: pattern.frame(index), captureTime: now, index: UInt64(index))
            for (number, datagram) in try sender.send(captured, nowNanoseconds: now).enumerated() {
                if index == 20 && number == 0 { continue }   // lose the first packet of frame 20
                for decoded in receiver.receive(datagram, nowNanoseconds: now) {
                    shown.append(pattern.readFrameNumber(from: decoded.frame) ?? -1)
                }
            }
            if let feedback = try receiver.feedbackIfDue(nowNanoseconds: now + 1_000_000) {
                if (try RTCPPacket.parseCompound(feedback)).contains(where: { if case .pictureLossIndication = $0 { true } else { false } }) {
                    pliSent += 1
                }
                sender.receiveFeedback(feedback)
            }
        }
        let statistics = receiver.statistics(nowNanoseconds: 3_000_000_000)
        #expect(statistics.decoderErrors == 0)
        #expect(pliSent >= 1)
        #expect(sender.statistics(nowNanoseconds: 3_000_000_000).keyframeRequestsReceived >= 1)
        #expect((statistics.keyframesReceived ?? 0) >= 2)
        #expect(!shown.contains(20), "the broken frame is never shown")
        #expect(shown.contains(59), "video recovered")
        #expect(shown == shown.sorted() && !shown.contains(-1))
    }

    @Test("Reception refuses foreign payload types, a second source and tampered SRTP")
    func receptionRefusesWhatIsNotTheStream() throws {
        let key = try SRTPKeyingMaterial(bytes: Array(repeating: 7, count: 30))
        let media = MediaDescription.opus(port: 5004, srtpKey: key)
        let sender = try AudioStreamSender(description: media, canonicalName: "a")
        let receiver = try AudioStreamReceiver(description: media, canonicalName: "b")
        let silence = [Int16](repeating: 0, count: 960)
        let good = try sender.send(samples: silence, captureTime: 0, nowNanoseconds: 0)[0]
        receiver.receive(good, nowNanoseconds: 0)
        var tampered = try sender.send(samples: silence, captureTime: 0, nowNanoseconds: 0)[0]
        tampered[tampered.count - 1] ^= 1
        receiver.receive(tampered, nowNanoseconds: 0)
        receiver.receive(good, nowNanoseconds: 0)   // replayed
        receiver.receive([0x80, 0x60, 0, 1], nowNanoseconds: 0)   // too short for RTP
        let other = try AudioStreamSender(description: media, canonicalName: "c")   // another SSRC, same key
        receiver.receive(try other.send(samples: silence, captureTime: 0, nowNanoseconds: 0)[0], nowNanoseconds: 0)
        let plain = try AudioStreamSender(description: .opus(port: 5004), canonicalName: "d")
        receiver.receive(try plain.send(samples: silence, captureTime: 0, nowNanoseconds: 0)[0], nowNanoseconds: 0)
        let statistics = receiver.statistics(nowNanoseconds: 0)
        #expect(statistics.packetsReceived == 1)
        #expect(statistics.packetsRejected == 5)
    }
}

extension StreamPipelineTests {
    /// What came out of a simulated video call leg.
    struct VideoUnderLoss {
        var framesSent: Int
        var framesShown: Set<Int>
        var receiver: ReceivedStreamStatistics
        var sender: SentStreamStatistics
        var misordered: Bool
    }

    /// `seconds` of 320x240 video at 30 fps through a network that loses `lossRate` of the
    /// datagrams each way (seeded) and delays the rest by `delay` ms (which reorders them);
    /// the receiver polls and sends its feedback every 5 ms, on a manual 1 ms clock.
    static func videoThroughNetwork(
        seconds: Double, lossRate: Double, delay: ClosedRange<Double>, seed: UInt64, retransmission: Bool = true
    ) throws -> VideoUnderLoss {
        var media = MediaDescription.vp8(port: 5006)
        media.acceptsNegativeAcknowledgements = retransmission
        let sender = try VideoStreamSender(
            description: media, settings: VP8EncoderSettings(width: 320, height: 240, bitrate: 400_000), canonicalName: "a")
        let receiver = try VideoStreamReceiver(description: media, canonicalName: "b")
        let pattern = TestPatternGenerator(width: 320, height: 240)
        var random = SplitMix64(seed: seed)
        var forward: [(arrival: UInt64, datagram: [UInt8])] = []
        var backward: [(arrival: UInt64, datagram: [UInt8])] = []
        func transmit(_ datagram: [UInt8], at now: UInt64, into queue: inout [(arrival: UInt64, datagram: [UInt8])]) {
            guard random.nextUnitInterval() >= lossRate else { return }
            let wait = delay.lowerBound + random.nextUnitInterval() * (delay.upperBound - delay.lowerBound)
            queue.append((now + UInt64(wait * 1e6), datagram))
        }
        var shown: [Int] = []
        let frames = Int(seconds * 30)
        let start: UInt64 = 1_000_000_000
        let end = start + UInt64(seconds * 1e9) + 2_000_000_000
        var nextFrame = 0
        var now = start
        while now < end {
            if nextFrame < frames, now >= start + UInt64(nextFrame) * 33_333_333 {
                let captured = CapturedVideoFrame(frame: pattern.frame(nextFrame), captureTime: now, index: UInt64(nextFrame))
                for datagram in try sender.send(captured, nowNanoseconds: now) { transmit(datagram, at: now, into: &forward) }
                nextFrame += 1
            }
            forward.sort { $0.arrival < $1.arrival }
            while let first = forward.first, first.arrival <= now {
                forward.removeFirst()
                shown += receiver.receive(first.datagram, nowNanoseconds: now).map { pattern.readFrameNumber(from: $0.frame) ?? -1 }
            }
            backward.sort { $0.arrival < $1.arrival }
            while let first = backward.first, first.arrival <= now {
                backward.removeFirst()
                for resent in sender.receiveFeedback(first.datagram, nowNanoseconds: now) { transmit(resent, at: now, into: &forward) }
            }
            if now % 5_000_000 == 0 {
                shown += receiver.poll(nowNanoseconds: now).map { pattern.readFrameNumber(from: $0.frame) ?? -1 }
                if let feedback = try receiver.feedbackIfDue(nowNanoseconds: now) { transmit(feedback, at: now, into: &backward) }
            }
            now += 1_000_000
        }
        return VideoUnderLoss(
            framesSent: frames, framesShown: Set(shown), receiver: receiver.statistics(nowNanoseconds: now),
            sender: sender.statistics(nowNanoseconds: now), misordered: shown != shown.sorted() || shown.contains(-1))
    }

    @Test(
        "Video at 10 % loss each way and 20–40 ms jitter: NACK and retransmission show ≥ 95 % of the frames, none corrupt",
        .timeLimit(.minutes(2)), arguments: [1, 2] as [UInt64])
    func videoSurvivesLossWithRetransmission(seed: UInt64) throws {
        let result = try Self.videoThroughNetwork(seconds: 20, lossRate: 0.10, delay: 20 ... 40, seed: seed)
        let shownShare = Double(result.framesShown.count) / Double(result.framesSent)
        print("seed \(seed): \(result.framesShown.count) of \(result.framesSent) frames shown (\(Int(shownShare * 100)) %), requested \(result.receiver.packetsRequested ?? -1), recovered \(result.receiver.packetsRecovered ?? -1), abandoned \(result.receiver.packetsAbandoned ?? -1), retransmitted \(result.sender.packetsRetransmitted ?? -1), PLI \(result.receiver.keyframeRequestsSent ?? -1), wait \(result.receiver.retransmissionWaitMilliseconds ?? -1) ms")
        #expect(result.receiver.decoderErrors == 0)
        #expect(!result.misordered)
        #expect(shownShare >= 0.95)
        #expect((result.receiver.packetsRecovered ?? 0) > 0)
    }

    @Test("Without retransmission the same network shows far fewer frames (the comparison the NACK test stands on)", .timeLimit(.minutes(2)))
    func videoUnderLossWithoutRetransmission() throws {
        let result = try Self.videoThroughNetwork(seconds: 10, lossRate: 0.10, delay: 20 ... 40, seed: 1, retransmission: false)
        let shownShare = Double(result.framesShown.count) / Double(result.framesSent)
        print("without NACK: \(result.framesShown.count) of \(result.framesSent) frames shown (\(Int(shownShare * 100)) %)")
        #expect(result.receiver.decoderErrors == 0)
        #expect(shownShare < 0.9)
        #expect(result.sender.packetsRetransmitted == 0)
    }
}

extension StreamPipelineTests {
    /// One second of a bottlenecked run: what the sender sent and aimed at, and what the
    /// bottleneck dropped.
    struct RateSample {
        var second: Int
        var sentBitrate: Int
        var target: Int
        var estimate: Int?
        var offered: Int
        var dropped: Int
        /// The receiver's steepest delay trend over the second (seconds per second).
        var steepestTrend: Double = 0
        /// The width the sender encoded at.
        var width = 0
    }

    /// 640x480 video configured at `bitrate` through a bottleneck whose rate (bits per
    /// second, nil = none) follows `capacity(second)`: a FIFO that drops what would wait
    /// more than 300 ms (like `tc tbf … latency 300ms`; routers queue that much and more), then 10–15 ms of delay. Feedback flows
    /// back freely. Manual 1 ms clock.
    static func videoThroughBottleneck(
        seconds: Int, bitrate: Int, grainAmplitude: Int = 24, adaptsResolution: Bool = false, capacity: (Int) -> Int?
    ) throws -> [RateSample] {
        let media = MediaDescription.vp8(port: 5006)
        // A fixed encoder speed: the calls' default (cpu-used −8) lets libvpx pick its speed from
        // the wall-clock time each frame took, which would make this manual-clock run depend on
        // how busy the machine is.
        let sender = try VideoStreamSender(
            description: media, settings: VP8EncoderSettings(width: 640, height: 480, bitrate: bitrate, cpuUsed: 8), canonicalName: "a",
            adaptsResolution: adaptsResolution)
        let receiver = try VideoStreamReceiver(description: media, canonicalName: "b", estimatesBandwidth: true)
        // The test pattern with grain on it: costly enough that the encoder spends the bits it
        // is given (the bare pattern compresses far below 1.5 Mb/s and would never fill the
        // bottleneck), not so costly that it cannot keep to a lower rate.
        var random = SplitMix64(seed: 3)
        let pattern = TestPatternGenerator(width: 640, height: 480)
        let grain = (0 ..< 640 * 480).map { _ in Int.random(in: -grainAmplitude ... grainAmplitude, using: &random) }
        func picture(_ index: Int) -> I420Frame {
            var frame = pattern.frame(index)
            let shift = (index * 7919) % grain.count
            for pixel in 0 ..< 640 * 480 {
                frame.planes[pixel] = UInt8(clamping: Int(frame.planes[pixel]) + grain[(pixel + shift) % grain.count])
            }
            return frame
        }
        var forward: [(arrival: UInt64, datagram: [UInt8])] = []
        var backward: [(arrival: UInt64, datagram: [UInt8])] = []
        var queueFree: UInt64 = 0   // when the bottleneck's link is free again
        var samples: [RateSample] = []
        var offered = 0, dropped = 0
        var steepest = 0.0
        let start: UInt64 = 1_000_000_000
        var nextFrame = 0
        var now = start
        func enter(_ datagram: [UInt8]) {
            offered += 1
            let second = Int((now - start) / 1_000_000_000)
            var departure = now
            if let rate = capacity(second) {
                let begin = max(now, queueFree)
                guard begin - now <= 300_000_000 else {
                    dropped += 1
                    return
                }
                departure = begin + UInt64(datagram.count * 8) * 1_000_000_000 / UInt64(rate)
                queueFree = departure
            }
            forward.append((departure + 10_000_000 + UInt64(random.nextUnitInterval() * 5e6), datagram))
        }
        while now < start + UInt64(seconds) * 1_000_000_000 {
            if now >= start + UInt64(nextFrame) * 33_333_333 {
                let captured = CapturedVideoFrame(frame: picture(nextFrame), captureTime: now, index: UInt64(nextFrame))
                for datagram in try sender.send(captured, nowNanoseconds: now) { enter(datagram) }
                nextFrame += 1
            }
            forward.sort { $0.arrival < $1.arrival }
            while let first = forward.first, first.arrival <= now {
                forward.removeFirst()
                _ = receiver.receive(first.datagram, nowNanoseconds: now)
            }
            while let first = backward.first, first.arrival <= now {
                backward.removeFirst()
                for resent in sender.receiveFeedback(first.datagram, nowNanoseconds: now) { enter(resent) }
            }
            if now % 5_000_000 == 0 {
                _ = receiver.poll(nowNanoseconds: now)
                steepest = max(steepest, receiver.statistics(nowNanoseconds: now).delayTrend ?? 0)
                if let feedback = try receiver.feedbackIfDue(nowNanoseconds: now) { backward.append((now + 12_000_000, feedback)) }
            }
            now += 1_000_000
            if (now - start) % 1_000_000_000 == 0 {
                let sent = sender.statistics(nowNanoseconds: now)
                samples.append(RateSample(
                    second: Int((now - start) / 1_000_000_000), sentBitrate: sent.bitrate, target: sent.targetBitrate ?? -1,
                    estimate: sent.receiverEstimate, offered: offered, dropped: dropped, steepestTrend: steepest, width: sent.width ?? 0))
                steepest = 0
                offered = 0
                dropped = 0
            }
        }
        return samples
    }

    @Test(
        "A 500 kb/s bottleneck under 1.5 Mb/s video: below it within 5 s with < 2 % loss; back up within 10 s once it is lifted",
        .timeLimit(.minutes(3)))
    func videoSettlesUnderABottleneckAndClimbsBack() throws {
        // As in a call: the sender may make the picture smaller (this grain strains VP8 at
        // 640x480 even at 1.5 Mb/s, and goes out at 320x240 from the second second).
        let samples = try Self.videoThroughBottleneck(seconds: 36, bitrate: 1_500_000, adaptsResolution: true) { second in
            (6 ..< 21).contains(second) ? 500_000 : nil
        }
        for sample in samples {
            print("t=\(sample.second) s: \(sample.width) wide, sent \(sample.sentBitrate / 1000) kb/s, target \(sample.target / 1000), REMB \(sample.estimate.map { "\($0 / 1000)" } ?? "-"), dropped \(sample.dropped) of \(sample.offered), steepest delay trend \(String(format: "%.3f", sample.steepestTrend))")
        }
        let before = samples.filter { (3 ..< 6).contains($0.second) }.map(\.sentBitrate).max() ?? 0
        #expect(before > 1_000_000, "the clip needs more than the bottleneck before it")
        // Samples are taken at the end of each second: second s covers (s−1, s]. The
        // bottleneck starts at 6 s: from 11 s to its end the rate stays under it on
        // average, no second more than a fifth above it (the encoder's rate control lets a
        // second overshoot while the estimate probes; the queue absorbs it), and less than
        // 2 % is lost.
        let settled = samples.filter { (12 ... 21).contains($0.second) }
        let average = settled.reduce(0) { $0 + $1.sentBitrate } / max(1, settled.count)
        #expect(average < 500_000, "below the bottleneck within 5 s: \(average) b/s on average")
        #expect(settled.allSatisfy { $0.sentBitrate < 600_000 })
        let offered = settled.reduce(0) { $0 + $1.offered }, lost = settled.reduce(0) { $0 + $1.dropped }
        #expect(Double(lost) < 0.02 * Double(offered), "loss under 2 % once settled: \(lost) of \(offered)")
        let recovered = samples.filter { (31 ... 36).contains($0.second) }.map(\.sentBitrate).max() ?? 0
        #expect(Double(recovered) >= 0.8 * Double(before), "climbed back within 10 s of the lift: \(recovered) vs \(before)")
    }
}
