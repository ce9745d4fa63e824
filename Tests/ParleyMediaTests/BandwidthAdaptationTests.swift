import Testing
@testable import ParleyMedia

/// REMB on the wire, the receiver's delay-based estimate and the sender's rate control,
/// each on its own with made-up arrivals and reports (the whole loop runs in
/// StreamPipelineTests' bottleneck test).
@Suite("Bandwidth adaptation (REMB, delay trend, send rate)")
struct BandwidthAdaptationTests {
    @Test("REMB round-trips the rates its 6-bit exponent and 18-bit mantissa can carry, rounded down",
          arguments: [(UInt64(0), UInt64(0)), (1, 1), (262_143, 262_143), (262_144, 262_144), (262_145, 262_144),
                      (1_500_001, 1_500_000), (20_000_000, 20_000_000), (20_000_001, 20_000_000)])
    func rembRoundTrips(bitrate: UInt64, carried: UInt64) throws {
        let estimate = RTCPReceiverEstimate(senderSSRC: 7, bitrate: bitrate, mediaSSRCs: [1, 2])
        let bytes = try RTCPPacket.serializeCompound([.receiverEstimate(estimate)])
        #expect(Array(bytes[0 ..< 2]) == [0x8F, 206])
        #expect(try RTCPPacket.parseCompound(bytes) == [.receiverEstimate(RTCPReceiverEstimate(senderSSRC: 7, bitrate: carried, mediaSSRCs: [1, 2]))])
    }

    @Test("A REMB whose SSRC count disagrees with its length is refused; a huge exponent saturates")
    func rembLimits() throws {
        // Count 2 but one SSRC.
        let short: [UInt8] = [0x8F, 206, 0, 5, 0, 0, 0, 7, 0, 0, 0, 0] + Array("REMB".utf8) + [2, 0x04, 0, 1, 0, 0, 0, 1]
        #expect(throws: RTPPacketError.self) { try RTCPPacket.parseCompound(short) }
        // Exponent 63, mantissa 1.
        let huge: [UInt8] = [0x8F, 206, 0, 4, 0, 0, 0, 7, 0, 0, 0, 0] + Array("REMB".utf8) + [0, 0xFC, 0, 1]
        guard case let .receiverEstimate(estimate) = try RTCPPacket.parseCompound(huge).first else {
            Issue.record("not a REMB")
            return
        }
        #expect(estimate.bitrate == .max)
    }

    /// 30 frames a second of `packets` 1000-byte packets, arriving `delay(frame)` seconds after they were sent.
    static func feed(_ estimator: inout ReceiveBandwidthEstimator, frames: Range<Int>, packets: Int = 4, delay: (Int) -> Double) {
        for frame in frames {
            let sent = UInt64(frame) * 33_333_333
            for packet in 0 ..< packets {
                let arrival = 1_000_000_000 + sent + UInt64(delay(frame) * 1e9) + UInt64(packet) * 100_000
                estimator.packetArrived(
                    sequenceNumber: UInt16(truncatingIfNeeded: frame * packets + packet), timestamp: UInt32(frame * 3000),
                    bytes: 1000, nowNanoseconds: arrival)
            }
        }
    }

    @Test("The receiver gives no estimate on a steady path, drops to 85 % of what arrives when a queue builds, then climbs")
    func estimatorFollowsTheQueue() {
        var estimator = ReceiveBandwidthEstimator()
        // 4 kB a frame at 30 fps: 960 kb/s, with ±2 ms of jitter and no queue.
        Self.feed(&estimator, frames: 0 ..< 90) { 0.010 + Double($0 % 3) * 0.002 }
        #expect(estimator.estimate == nil)
        #expect(estimator.estimateDue(nowNanoseconds: 4_000_000_000) == nil)
        // A queue: each frame 10 ms later than the one before (0.3 s per second).
        Self.feed(&estimator, frames: 90 ..< 110) { 0.010 + Double($0 - 89) * 0.010 }
        let dropped = estimator.estimate
        #expect(estimator.overuses >= 1)
        #expect(dropped.map { (500_000 ... 900_000).contains($0) } == true, "85 % of what arrives (960 kb/s sent, less arriving behind the queue): \(String(describing: dropped))")
        #expect(estimator.estimateDue(nowNanoseconds: 5_000_000_000) == dropped, "a drop is sent at once")
        // The queue drains and stays empty: the estimate climbs again.
        Self.feed(&estimator, frames: 110 ..< 200) { _ in 0.210 }
        #expect((estimator.estimate ?? 0) > (dropped ?? .max))
    }

    /// The estimate after each frame of a queue (frames 90–109) and then `frames` steady
    /// ones, with the owner's `probeReady` as `ready(frame)` says.
    static func probe(frames: Int, ready: (Int) -> Bool) -> (estimates: [UInt64], wants: [Bool], ceiling: UInt64) {
        var estimator = ReceiveBandwidthEstimator()
        feed(&estimator, frames: 0 ..< 90) { 0.010 + Double($0 % 3) * 0.002 }
        feed(&estimator, frames: 90 ..< 110) { 0.010 + Double($0 - 89) * 0.010 }
        var ceiling: UInt64 = 0
        var estimates: [UInt64] = [], wants: [Bool] = []
        for frame in 110 ..< 110 + frames {
            estimator.probeReady = ready(frame)
            feed(&estimator, frames: frame ..< frame + 1) { _ in 0.210 }
            estimates.append(estimator.estimate ?? 0)
            wants.append(estimator.wantsProbeReserve)
            // The queue's last frames may still count as an overuse just after it.
            if frame == 140 { ceiling = estimator.probeCeiling ?? 0 }
        }
        return (estimates, wants, ceiling)
    }

    @Test("A climb past the rate last overused is a probe: held there until the receiver's audio holds a reserve (at most 3 s), then 12 % a second; 10 s without overuse ends it")
    func probesWaitForTheReserve() {
        let never = Self.probe(frames: 600) { _ in false }
        let always = Self.probe(frames: 600) { _ in true }
        // The rate last overused (what arrived then).
        let ceiling = never.ceiling
        #expect(ceiling > 0 && ceiling == always.ceiling)
        let heldFrames = never.estimates.prefix { $0 <= ceiling + 2_000 }.count
        let readyFrames = always.estimates.prefix { $0 <= ceiling + 2_000 }.count
        print("climbed past \(ceiling / 1000) kb/s after \(readyFrames) frames when ready, \(heldFrames) when not")
        #expect(never.wants[heldFrames - 1], "while held it asks for the reserve")
        #expect(heldFrames >= readyFrames + 85, "held about 3 s longer without the reserve: \(heldFrames) vs \(readyFrames) frames")
        #expect(heldFrames < readyFrames + 120, "but not for good")
        // Past it: 12 % a second (one second after, at most 1.2 times the ceiling).
        #expect(always.estimates[readyFrames + 30] <= ceiling * 12 / 10)
        #expect(always.estimates[readyFrames + 30] > ceiling)
        #expect(always.wants[readyFrames + 30], "the reserve is held while it probes")
        #expect(always.wants.last == false, "no overuse for 10 s: the path is wider, the probe over")
    }

    @Test("A standing queue that vanishes from one frame to the next (the bottleneck widened) ends the ceiling; one that drains does not")
    func vanishingQueueShowsAWiderPath() {
        func run(drain: (Int) -> Double) -> ReceiveBandwidthEstimator {
            var estimator = ReceiveBandwidthEstimator()
            Self.feed(&estimator, frames: 0 ..< 90) { 0.010 + Double($0 % 3) * 0.002 }
            // A queue builds (an overuse), then stands at 100 ms.
            Self.feed(&estimator, frames: 90 ..< 100) { 0.010 + Double($0 - 89) * 0.010 }
            Self.feed(&estimator, frames: 100 ..< 110) { _ in 0.110 }
            #expect(estimator.probeCeiling != nil)
            Self.feed(&estimator, frames: 110 ..< 140) { drain($0 - 110) }
            return estimator
        }
        let lifted = run { _ in 0.010 }
        // Drained 30 ms a frame (33 ms apart): as fast as a queue can when little is sent.
        let draining = run { max(0.010, 0.110 - Double($0 + 1) * 0.030) }
        #expect(lifted.probeCeiling == nil, "the queue vanished at once: the path is wider")
        #expect(draining.probeCeiling != nil, "a queue that drains, however fast, keeps the ceiling")
        #expect((lifted.estimate ?? 0) > (draining.estimate ?? 0), "and the estimate climbs faster")
    }

    @Test("Late frames on a path without a queue (a slow encode, then catching up) are not an overuse")
    func estimatorIgnoresLateFrames() {
        var estimator = ReceiveBandwidthEstimator()
        // Frame 40 is 50 ms late, frames 70–72 20, 50 and 80 ms (the encoder fell behind),
        // each time caught up at once.
        let late: [Int: Double] = [40: 0.050, 70: 0.020, 71: 0.050, 72: 0.080]
        Self.feed(&estimator, frames: 0 ..< 120) { 0.010 + (late[$0] ?? 0) }
        #expect(estimator.estimate == nil)
        #expect(estimator.overuses == 0)
    }

    @Test("Retransmitted packets, a round trip late, are not read as a queue")
    func estimatorIgnoresRetransmissions() {
        var estimator = ReceiveBandwidthEstimator()
        for frame in 0 ..< 120 {
            let sent = 1_000_000_000 + UInt64(frame) * 33_333_333
            for packet in 0 ..< 4 {
                estimator.packetArrived(
                    sequenceNumber: UInt16(frame * 4 + packet), timestamp: UInt32(frame * 3000), bytes: 1000,
                    nowNanoseconds: sent + 10_000_000 + UInt64(packet) * 100_000)
            }
            // Every fifth frame, the copy of a packet of the frame before arrives 150 ms late.
            if frame % 5 == 4 {
                estimator.packetArrived(
                    sequenceNumber: UInt16(frame * 4 - 2), timestamp: UInt32((frame - 1) * 3000), bytes: 1000,
                    nowNanoseconds: sent + 150_000_000)
            }
        }
        #expect(estimator.estimate == nil)
        #expect(estimator.overuses == 0)
    }

    @Test("The sender aims 10 % under the estimate, cuts on heavy loss once per cut, climbs back on a clean path, and thins frames when poor")
    func sendRateTable() {
        var controller = SendRateController(maximum: 1_500_000)
        #expect(controller.target == 1_500_000)
        controller.receiverEstimated(500_000)
        #expect(controller.target == 450_000)
        #expect(controller.frameRateDivisor == 1)
        controller.lossReported(0.08)   // random loss NACK repairs: no cut
        #expect(controller.target == 450_000)
        controller.lossReported(0.30)
        #expect(controller.target == 382_500)   // 450 000 × (1 − 0.15)
        controller.lossReported(0.30)   // the next report still covers the time before the cut
        #expect(controller.target == 382_500)
        controller.lossReported(0.02)
        #expect(controller.target > 382_500)
        controller.receiverEstimated(120_000)
        #expect(controller.target == 108_000)
        #expect(controller.frameRateDivisor == 2)
        controller.receiverEstimated(60_000)
        #expect(controller.target == 54_000)
        #expect(controller.frameRateDivisor == 3)
        controller.receiverEstimated(1_000)
        #expect(controller.target == 50_000, "never below the minimum")
        controller.receiverEstimated(.max)
        #expect(controller.target <= 1_500_000, "never above the maximum")
    }

    @Test("A lower ceiling (a group call's share) caps the target and the loss limit; raising it lets the estimate rule again")
    func ceilingMoves() {
        var controller = SendRateController(maximum: 1_500_000)
        controller.receiverEstimated(1_000_000)
        #expect(controller.target == 900_000)
        controller.setMaximum(300_000)
        #expect(controller.target == 300_000)
        controller.setMaximum(10_000)
        #expect(controller.maximum == controller.minimum, "never under the floor")
        controller.setMaximum(1_500_000)
        controller.lossReported(0)   // the loss limit climbs back a quarter per clean report
        for _ in 0 ..< 20 { controller.lossReported(0) }
        #expect(controller.target == 900_000)
    }
}
