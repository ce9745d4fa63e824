import Testing
@testable import ParleyMedia

@Suite("Sender reports, lip sync, keyframe request limiting")
struct RTCPSessionTests {
    @Test func senderReportExtrapolatesTheRTPTimestamp() throws {
        var sender = RTPSenderStatistics(ssrc: 9, clockRate: 90000)
        var sequencer = RTPSequencer(ssrc: 9, payloadType: 96, firstSequenceNumber: 0)
        for index in 0 ..< 10 {
            let packet = RTPPacket(header: sequencer.nextHeader(timestamp: UInt32.max - 10000 &+ UInt32(index * 3000), marker: true), payload: [UInt8](repeating: 0, count: 100))
            sender.record(packet, captureNanoseconds: UInt64(index) * 33_333_333)
        }
        // 50 ms after the last capture: 4500 ticks later.
        let report = try #require(sender.makeSenderReport(nowNanoseconds: 9 * 33_333_333 + 50_000_000, wallClock: NTPTimestamp(secondsSince1900: 5000)))
        #expect(report.packetCount == 10 && report.octetCount == 1000)
        #expect(report.rtpTimestamp == UInt32.max - 10000 &+ 27000 &+ 4500)
        let parsed = try RTCPPacket.parseCompound(RTCPPacket.senderReport(report).serialized())
        #expect(parsed == [.senderReport(report)])
    }

    @Test func lipSyncComparesCaptureTimesAcrossClocks() {
        var sync = LipSync()
        #expect(sync.videoLead(audioTimestamp: 0, videoTimestamp: 0) == nil)
        // Both SRs describe wall-clock 1000.0 s; the clocks start at unrelated values.
        sync.audioSenderReport(RTCPSenderReport(ssrc: 1, ntpTimestamp: NTPTimestamp(secondsSince1900: 1000), rtpTimestamp: 4_000_000_000, packetCount: 0, octetCount: 0))
        sync.videoSenderReport(RTCPSenderReport(ssrc: 2, ntpTimestamp: NTPTimestamp(secondsSince1900: 1000), rtpTimestamp: 77, packetCount: 0, octetCount: 0))
        // Audio 1 s after the SR (wrapping), video 1.1 s after: video leads by 100 ms.
        let lead = sync.videoLead(audioTimestamp: 4_000_000_000 &+ 48000, videoTimestamp: 77 + 99000)
        #expect(abs((lead ?? 0) - 0.1) < 1e-6)
        // Timestamps before the SR work too.
        let behind = sync.videoLead(audioTimestamp: 4_000_000_000 &- 4800, videoTimestamp: 77 &- 18000)
        #expect(abs((behind ?? 0) - (-0.1)) < 1e-6)
    }

    @Test func keyframeRequestsAreRateLimited() {
        var limiter = KeyframeRequestLimiter()
        let decisions = [
            limiter.shouldSend(nowNanoseconds: 1_000_000_000),
            limiter.shouldSend(nowNanoseconds: 1_100_000_000),
            limiter.shouldSend(nowNanoseconds: 1_300_000_000),
            // A long RTT stretches the interval.
            limiter.shouldSend(nowNanoseconds: 1_700_000_000, roundTripTime: 0.5),
            limiter.shouldSend(nowNanoseconds: 1_800_000_000, roundTripTime: 0.5),
        ]
        #expect(decisions == [true, false, true, false, true])
        #expect(limiter.requestsSent == 3)
    }
}
