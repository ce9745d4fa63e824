import ParleyMedia
import Testing

@Suite("Playout phase (a packet waiting for the next tick is delay)")
struct PlayoutPhaseTests {
    @Test("Packets that waited 9–11 ms for a whole second: the playout comes 5 ms sooner (4 ms kept), then a new second is watched")
    func calmPathMovesSooner() {
        var phase = PlayoutPhase()
        for tick in 0 ..< 49 {
            phase.ticked(waited: UInt64(9_000_000 + tick % 3 * 1_000_000))
            #expect(phase.advance() == 0, "not before a whole window")
        }
        phase.ticked(waited: 10_000_000)
        #expect(phase.advance() == 5_000_000)
        phase.ticked(waited: 5_000_000)
        #expect(phase.advance() == 0)
    }

    @Test("One tick without a packet just arrived (late, concealed, more buffered) starts the window again")
    func anyMissStartsAgain() {
        var phase = PlayoutPhase()
        for tick in 0 ..< 100 {
            phase.ticked(waited: tick == 60 ? nil : 15_000_000)
        }
        // Ticks 61…99: 39 in a row, short of 50.
        #expect(phase.advance() == 0)
        for _ in 0 ..< 11 { phase.ticked(waited: 15_000_000) }
        #expect(phase.advance() == PlayoutPhase.maximumAdvance, "at most 10 ms at once")
    }

    @Test("Packets that wait no longer than the margin, or not at all, leave the phase where it is")
    func tightOrJitteryStays() {
        var tight = PlayoutPhase()
        for _ in 0 ..< 200 { tight.ticked(waited: 3_000_000) }
        #expect(tight.advance() == 0)
        var jittery = PlayoutPhase()
        for tick in 0 ..< 200 { jittery.ticked(waited: tick % 7 == 0 ? 0 : 12_000_000) }
        #expect(jittery.advance() == 0)
    }
}
