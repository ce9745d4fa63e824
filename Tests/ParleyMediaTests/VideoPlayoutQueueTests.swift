import Testing
@testable import ParleyMedia

/// Lip sync on the video side: pictures ahead of the sound wait, in order, within bounds.
@Suite("Video playout queue")
struct VideoPlayoutQueueTests {
    static let ms: UInt64 = 1_000_000

    @Test("Ahead of the sound a picture waits its lead; behind it or unknown it is shown at once")
    func holdsByTheLead() {
        var queue = VideoPlayoutQueue<Int>()
        #expect(queue.add(1, videoLead: nil, nowNanoseconds: 0) == [1])
        #expect(queue.add(2, videoLead: -0.05, nowNanoseconds: 0) == [2])
        #expect(queue.add(3, videoLead: 0.1, nowNanoseconds: 10 * Self.ms).isEmpty)
        #expect(queue.lastHold == 100 * Self.ms)
        #expect(queue.nextDue == 110 * Self.ms)
        #expect(queue.release(nowNanoseconds: 109 * Self.ms).isEmpty)
        #expect(queue.release(nowNanoseconds: 110 * Self.ms) == [3])
        #expect(queue.nextDue == nil)
    }

    @Test("Order is kept: a picture never overtakes the one before it, even with a smaller lead")
    func keepsTheOrder() {
        var queue = VideoPlayoutQueue<Int>()
        _ = queue.add(1, videoLead: 0.2, nowNanoseconds: 0)
        #expect(queue.add(2, videoLead: 0, nowNanoseconds: 1 * Self.ms).isEmpty)
        #expect(queue.release(nowNanoseconds: 200 * Self.ms) == [1, 2])
    }

    @Test("A hostile or wrong lead is bounded: at most the maximum hold, at most the capacity waiting", arguments: [Double.infinity, .nan, 1e9, 3600])
    func boundsTheHold(lead: Double) {
        var queue = VideoPlayoutQueue<Int>(maximumHoldNanoseconds: 400 * Self.ms, capacity: 3)
        var shown: [Int] = []
        for frame in 1 ... 5 {
            shown += queue.add(frame, videoLead: lead, nowNanoseconds: 0)
            #expect((queue.nextDue ?? 0) <= 400 * Self.ms)
        }
        let waiting = queue.flush()
        #expect(waiting.count <= 3)
        #expect(shown + waiting == [1, 2, 3, 4, 5])
    }
}
