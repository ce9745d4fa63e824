import Testing
@testable import ParleyMedia

/// The leaky bucket that spreads a large video frame over time.
@Suite("Video pacer")
struct VideoPacerTests {
    @Test("An ordinary frame leaves at once; a keyframe's packets leave at the pacing rate, 1.5 × the target")
    func spreadsALargeFrame() {
        var pacer = VideoPacer(targetBitrate: 400_000)   // paced at 600 kb/s: 16 ms per 1200-byte packet
        #expect(pacer.rate == 600_000)
        // A packet leaves at once while what is queued before it is within the 24 kbit
        // allowance (40 ms here): three 1200-byte packets (9.6 kbit each) do.
        for _ in 0 ..< 3 { #expect(pacer.departure(bytes: 1200, nowNanoseconds: 1_000_000_000) == 1_000_000_000) }
        // A fourth waits until the bucket has drained to the allowance.
        #expect(pacer.departure(bytes: 1200, nowNanoseconds: 1_000_000_000) == 1_008_000_000)
        // A keyframe of 19 more: the last of the 23 leaves (22 × 9600 − 24000) / 600 kb/s after the first.
        var last: UInt64 = 0
        for _ in 0 ..< 19 { last = pacer.departure(bytes: 1200, nowNanoseconds: 1_000_000_000) }
        let span = Double(last - 1_000_000_000) / 1e9
        #expect(abs(span - (22.0 * 9600 - 24000) / 600_000) < 0.001, "\(span) s")
        #expect(pacer.backlog(nowNanoseconds: 1_000_000_000) > UInt64(span * 1e9))
    }

    @Test("Idle time gives back no more than the burst allowance")
    func idleCreditIsCapped() {
        var pacer = VideoPacer(targetBitrate: 400_000)
        _ = pacer.departure(bytes: 1200, nowNanoseconds: 0)
        // Ten seconds idle, then a 10-packet frame: only the allowance leaves at once.
        let now: UInt64 = 10_000_000_000
        let departures = (0 ..< 10).map { _ in pacer.departure(bytes: 1200, nowNanoseconds: now) }
        #expect(departures.prefix(3).allSatisfy { $0 == now })
        #expect(departures.last! > now + 80_000_000)
    }

    @Test("The rate follows the target, never below 150 kb/s; nonsense sizes cannot trap",
          arguments: [(0, 150_000.0), (-5, 150_000.0), (50_000, 150_000.0), (1_000_000, 1_500_000.0)])
    func rateFollowsTarget(target: Int, rate: Double) {
        var pacer = VideoPacer(targetBitrate: 1_000_000)
        pacer.setTarget(target)
        #expect(pacer.rate == rate)
        _ = pacer.departure(bytes: -1, nowNanoseconds: .max)
        _ = pacer.departure(bytes: .max, nowNanoseconds: .max)
        _ = pacer.departure(bytes: .max, nowNanoseconds: 0)
    }
}
