import Foundation
import Testing
@testable import ParleyMedia

/// After a queue on the path drains, the audio buffer holds the delay it had to grow by;
/// the receiver sheds it in the pauses between words.
@Suite("Audio delay shedding")
struct AudioDelaySheddingTests {
    /// 10 s of a 440 Hz tone (with 400 ms pauses every 400 ms when `pauses`) through a path
    /// that stalls for 300 ms at 2 s (everything sent then arrives together at its end);
    /// the buffered delay (ms) every 20 ms of playout.
    static func bufferedDelay(pauses: Bool) throws -> (delays: [Double], statistics: ReceivedStreamStatistics) {
        let media = MediaDescription.opus(port: 5004)
        let sender = try AudioStreamSender(description: media, canonicalName: "a")
        let receiver = try AudioStreamReceiver(description: media, canonicalName: "b")
        var path = SimulatedPath()
        var delays: [Double] = []
        let start: UInt64 = 1_000_000_000
        for step in 0 ..< 500 {
            let now = start + UInt64(step) * 20_000_000
            let sounding = !pauses || (step / 20) % 2 == 0
            let samples = (0 ..< 960).map { offset -> Int16 in
                guard sounding else { return 0 }
                return Int16(8000 * sin(2 * Double.pi * 440 * Double(step * 960 + offset) / 48000))
            }
            for datagram in try sender.send(samples: samples, captureTime: now, nowNanoseconds: now)
            where MultiplexedPacketKind.classify(datagram) == .rtp {
                let stalled = (100 ..< 115).contains(step)
                path.send(datagram, arrivingAt: stalled ? start + 115 * 20_000_000 + 10_000_000 : now + 10_000_000)
            }
            let tick = now + 7_000_000
            path.deliver(until: tick) { receiver.receive($0, nowNanoseconds: $1) }
            _ = receiver.playout()
            delays.append(receiver.statistics(nowNanoseconds: tick).jitterBufferDelayMilliseconds ?? 0)
        }
        return (delays, receiver.statistics(nowNanoseconds: start + 500 * 20_000_000))
    }

    @Test("Speech with pauses is back to its normal delay within 2 s of the path's queue forgetting; a continuous sound sheds a frame a second", .timeLimit(.minutes(1)))
    func delayIsShedInPauses() throws {
        let (speech, statistics) = try Self.bufferedDelay(pauses: true)
        let (tone, _) = try Self.bufferedDelay(pauses: false)
        // 50 ticks a second; the stall ends at 2.3 s, the buffer's lateness window forgets it 2 s later.
        let peak = speech[115 ..< 140].max() ?? 0
        print("buffered delay (ms) at 2.5 / 4 / 5 / 6 / 8 s — with pauses: \([125, 200, 250, 300, 400].map { speech[$0] }), continuous: \([125, 200, 250, 300, 400].map { tone[$0] })")
        #expect(peak >= 200, "the stall grew the buffer: \(peak) ms")
        #expect(speech[300] <= 80, "shed in the pauses by 6 s: \(speech[300]) ms")
        #expect(tone[300] > speech[300] + 60, "a continuous sound sheds slowly (one frame a second): \(tone[300]) ms")
        #expect(statistics.decoderErrors == 0)
    }

    @Test("A probe reserve grows the delay by 100 ms in pauses only, says when it is in place, and is shed in pauses once released", .timeLimit(.minutes(1)))
    func probeReserveGrowsInPauses() throws {
        let media = MediaDescription.opus(port: 5004)
        let sender = try AudioStreamSender(description: media, canonicalName: "a")
        let receiver = try AudioStreamReceiver(description: media, canonicalName: "b")
        let start: UInt64 = 1_000_000_000
        var delays: [Double] = [], played: [[Int16]] = [], inserted: [Int64] = [], ready: [Bool] = []
        for step in 0 ..< 600 {
            let now = start + UInt64(step) * 20_000_000
            // 400 ms of a tone, 400 ms of silence.
            let sounding = (step / 20) % 2 == 0
            let samples = (0 ..< 960).map { offset -> Int16 in
                sounding ? Int16(8000 * sin(2 * Double.pi * 440 * Double(step * 960 + offset) / 48000)) : 0
            }
            for datagram in try sender.send(samples: samples, captureTime: now, nowNanoseconds: now)
            where MultiplexedPacketKind.classify(datagram) == .rtp {
                receiver.receive(datagram, nowNanoseconds: now + 10_000_000)
            }
            if step == 100 { receiver.holdsProbeReserve = true }
            if step == 300 { receiver.holdsProbeReserve = false }
            played.append(receiver.playout() ?? [])
            let statistics = receiver.statistics(nowNanoseconds: now + 10_000_000)
            delays.append(statistics.jitterBufferDelayMilliseconds ?? 0)
            inserted.append(statistics.framesInserted ?? 0)
            ready.append(receiver.probeReserveReady)
        }
        let before = delays[60 ..< 100].max() ?? 0
        let held = delays[250 ..< 300].min() ?? 0
        print("buffered delay (ms): before \(before), with the reserve \(held), after release \(delays[500 ..< 600].max() ?? 0); frames inserted \(inserted.last ?? 0)")
        #expect(held >= before + 80, "the reserve is in place: \(held) ms against \(before) before")
        #expect(ready[101] == false, "not yet in place when asked for")
        #expect(ready[250 ..< 300].allSatisfy { $0 }, "it says so")
        #expect((delays[500 ..< 600].max() ?? 0) <= before + 40, "shed again in the pauses after the release (to within two frames of the target)")
        // Every inserted frame came after at least two quiet ones: none cuts into the tone.
        for step in 1 ..< 600 where inserted[step] > inserted[step - 1] {
            let quiet = { (frame: [Int16]) in frame.allSatisfy { abs(Int($0)) < 200 } }
            #expect(quiet(played[step]) && quiet(played[step - 1]) && quiet(played[step - 2]), "frame \(step) was inserted inside the tone")
        }
        #expect((inserted.last ?? 0) >= 4)
    }
}
