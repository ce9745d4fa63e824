import Testing
@testable import ParleyMedia

@Suite("Audio jitter buffer")
struct AudioJitterBufferTests {
    struct Result {
        var actions: [AudioPlayoutAction] = []
        var delays: [UInt64] = []
        var decodedIDs: [Int] { actions.compactMap { if case let .decode(bytes) = $0 { Int(bytes[0]) << 8 | Int(bytes[1]) } else { nil } } }
        /// Concealed frames before the last decoded one (the end of the stream underruns).
        var concealedDuringStream: Int {
            let last = actions.lastIndex { if case .decode = $0 { true } else { false } } ?? 0
            return actions[..<last].filter { $0 == .conceal }.count
        }
    }

    /// Plays `count` packets sent every `sendPeriod` ns, arriving `delay(index)` ns later
    /// (nil = lost), against a playout ticking every 20 ms.
    static func simulate(
        _ buffer: inout AudioJitterBuffer, count: Int, firstTimestamp: UInt32 = 0, sendPeriod: UInt64 = 20_000_000,
        delay: (Int) -> UInt64?
    ) -> Result {
        var arrivals: [(time: UInt64, index: Int)] = []
        for index in 0 ..< count {
            if let late = delay(index) { arrivals.append((1_000_000_000 + UInt64(index) * sendPeriod + late, index)) }
        }
        arrivals.sort { $0.time < $1.time }
        var result = Result()
        var next = 0
        var tick: UInt64 = 1_000_000_000
        let end = 1_000_000_000 + UInt64(count) * sendPeriod + 400_000_000
        while tick < end {
            while next < arrivals.count, arrivals[next].time <= tick {
                let index = arrivals[next].index
                buffer.insert(
                    payload: [UInt8(index >> 8), UInt8(index & 0xFF)],
                    timestamp: firstTimestamp &+ UInt32(index * 960), arrivalNanoseconds: arrivals[next].time)
                next += 1
            }
            result.actions.append(buffer.nextAction())
            result.delays.append(buffer.bufferedDelay)
            tick += 20_000_000
        }
        return result
    }

    /// Deterministic pseudo-random numbers (xorshift).
    struct Noise {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next(below limit: UInt64) -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state % limit
        }
    }

    @Test("Three packets lost where the buffer runs dry: the frames concealed while holding are not concealed again (60 ms, not 100)")
    func aLossThatEmptiesTheBufferIsNotConcealedTwice() {
        var buffer = AudioJitterBuffer()
        // Steady 5 ms delay (the buffer sits at its 20 ms minimum, so a loss empties it),
        // packets 100–102 lost.
        let result = Self.simulate(&buffer, count: 200) { (100 ... 102).contains($0) ? nil : 5_000_000 }
        var longest = 0, run = 0
        let lastDecoded = result.actions.lastIndex { if case .decode = $0 { true } else { false } } ?? 0
        for action in result.actions[..<lastDecoded] {
            run = action == .conceal ? run + 1 : 0
            longest = max(longest, run)
        }
        let recovered = result.actions.filter { if case .recoverWithFEC = $0 { true } else { false } }.count
        #expect(recovered == 1, "the frame before packet 103 comes from its FEC copy")
        // Three 20 ms ticks pass with nothing to play before packet 103 arrives; then the
        // playout goes on from 102 (its FEC copy) instead of concealing 100 and 101 again.
        #expect(longest == 3, "longest concealed run \(longest) frames")
        #expect(result.concealedDuringStream == 3)
        #expect(result.decodedIDs.contains(103))
    }

    @Test func steadyStreamPlaysEveryPacketAtTheMinimumDelay() {
        var buffer = AudioJitterBuffer()
        let result = Self.simulate(&buffer, count: 200, firstTimestamp: UInt32.max - 960 * 50) { _ in 5_000_000 }
        #expect(result.decodedIDs == Array(0 ..< 200))
        #expect(result.concealedDuringStream == 0)
        #expect(result.delays.max()! <= 40_000_000)
    }

    @Test func jitterRaisesTheDelayAndKeepsConcealmentRare() {
        var buffer = AudioJitterBuffer()
        var noise = Noise()
        let result = Self.simulate(&buffer, count: 1000) { _ in noise.next(below: 60_000_000) }
        let target = buffer.targetDelay
        print("jitter 0-60 ms: target \(target / 1_000_000) ms, concealed \(buffer.framesConcealed), dropped \(buffer.framesDropped), late \(buffer.packetsLate)")
        #expect(target >= 60_000_000 && target <= 100_000_000)
        #expect(buffer.framesConcealed + buffer.framesDropped < 30)
        let decoded = result.decodedIDs
        #expect(decoded == decoded.sorted())
        #expect(decoded.count > 970)
    }

    @Test func afterALossTheNextLossIsRecoveredFromFEC() {
        var buffer = AudioJitterBuffer()
        // No jitter: the buffer holds only the frame due, so at the first loss the playout
        // conceals one tick while it waits for the next packet, then recovers the lost frame
        // from that packet's in-band FEC. It then keeps one frame in reserve, and the second
        // loss is recovered at once.
        let result = Self.simulate(&buffer, count: 40) { $0 == 10 || $0 == 30 ? nil : 0 }
        #expect(buffer.targetDelay == 40_000_000)
        let index = result.actions.firstIndex(of: .recoverWithFEC(nextPacket: [0, 31]))
        #expect(index != nil)
        if let index { #expect(result.actions[index + 1] == .decode([0, 31])) }
        #expect(result.decodedIDs == Array(0 ..< 10) + Array(11 ..< 30) + Array(31 ..< 40))
        #expect(buffer.framesRecovered == 2)
        #expect(result.concealedDuringStream == 1)   // the tick that waited for the packet after the first loss
    }

    @Test func theDelayIsCappedAt200Milliseconds() {
        var buffer = AudioJitterBuffer()
        var noise = Noise()
        let result = Self.simulate(&buffer, count: 500) { _ in noise.next(below: 600_000_000) }
        #expect(buffer.targetDelay == 200_000_000)
        #expect(result.delays.max()! <= 240_000_000)
    }

    @Test(arguments: [19_800_000, 20_200_000] as [UInt64])
    func clockDriftStaysBounded(sendPeriod: UInt64) {
        var buffer = AudioJitterBuffer()
        // One minute of audio from a sender whose clock runs 1 % fast or slow.
        let result = Self.simulate(&buffer, count: 3000, sendPeriod: sendPeriod) { _ in 2_000_000 }
        let settled = result.delays.dropFirst(100).dropLast(30)
        print("drift \(sendPeriod): max delay \(settled.max()! / 1_000_000) ms, dropped \(buffer.framesDropped), concealed \(buffer.framesConcealed)")
        #expect(settled.max()! <= 100_000_000)
        if sendPeriod < 20_000_000 { #expect(buffer.framesDropped > 0) } else { #expect(buffer.framesConcealed > 0) }
        #expect(result.decodedIDs == result.decodedIDs.sorted())
    }

    @Test func latePacketsAndDuplicatesAreDiscarded() {
        var buffer = AudioJitterBuffer()
        buffer.insert(payload: [1], timestamp: 960, arrivalNanoseconds: 0)
        buffer.insert(payload: [1], timestamp: 960, arrivalNanoseconds: 0)
        #expect(buffer.packetsDuplicate == 1)
        #expect(buffer.nextAction() == .decode([1]))
        buffer.insert(payload: [0], timestamp: 0, arrivalNanoseconds: 30_000_000)
        #expect(buffer.packetsLate == 1)
        #expect(buffer.nextAction() == .conceal)
    }
}
