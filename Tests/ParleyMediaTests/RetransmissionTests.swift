import Testing
@testable import ParleyMedia

/// Generic NACK (RFC 4585) on the wire, the sender's history, the receiver's requests, and
/// the assembler waiting for what was asked for.
@Suite("Retransmission (generic NACK)")
struct RetransmissionTests {
    // MARK: The packet

    @Test("A NACK packs runs of up to 17 numbers per entry and round-trips, across the wrap")
    func nackRoundTrips() throws {
        let numbers: [UInt16] = [65530, 65531, 65535, 0, 3, 10, 40]
        let nack = RTCPGenericNACK(senderSSRC: 1, mediaSSRC: 2, sequenceNumbers: numbers)
        #expect(nack.entries.map(\.packetID) == [65530, 40])
        #expect(nack.entries[0].bitmask == 0b1000_0001_0011_0001)   // +1, +5, +6, +9, +16 (10, past the wrap)
        let bytes = try RTCPPacket.serializeCompound([.negativeAcknowledgement(nack)])
        #expect(Array(bytes[0 ..< 4]) == [0x81, 205, 0, 4])
        #expect(try RTCPPacket.parseCompound(bytes) == [.negativeAcknowledgement(nack)])
    }

    @Test("A NACK without entries, or with a partial one, is refused; more than 64 entries are cut")
    func nackLimits() throws {
        let empty: [UInt8] = [0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]
        #expect(throws: RTPPacketError.self) { try RTCPPacket.parseCompound(empty) }
        let partial: [UInt8] = [0x81, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0, 0]
        #expect(throws: RTPPacketError.self) { try RTCPPacket.parseCompound(partial) }
        let many = RTCPGenericNACK(senderSSRC: 1, mediaSSRC: 2, sequenceNumbers: (0 ..< 100).map { UInt16($0 * 20) })
        let parsed = try RTCPPacket.parseCompound(try RTCPPacket.negativeAcknowledgement(many).serialized())
        guard case let .negativeAcknowledgement(cut) = parsed.first else {
            Issue.record("not a NACK")
            return
        }
        #expect(cut.sequenceNumbers == Array(many.sequenceNumbers.prefix(64)))
    }

    // MARK: The sender's history

    @Test("The history answers with the packets it kept, once per interval, within age and budget")
    func historyAnswers() {
        var history = RetransmissionHistory(capacity: 64, budgetBytesPerSecond: 40_000)
        let ms: UInt64 = 1_000_000
        for sequence in UInt16(100) ..< 200 {
            history.record(sequenceNumber: sequence, datagram: [UInt8](repeating: UInt8(sequence & 0xFF), count: 1000), nowNanoseconds: UInt64(sequence) * ms)
        }
        let now: UInt64 = 210 * ms
        // 120 was overwritten by 184 (64 slots); 150 and 151 are kept.
        let first = history.retransmissions(for: [120, 150, 151], nowNanoseconds: now, roundTripNanoseconds: 40 * ms)
        #expect(first.map { $0[0] } == [150, 151])
        // Asked again within half a round trip: not sent twice.
        #expect(history.retransmissions(for: [150], nowNanoseconds: now + 10 * ms, roundTripNanoseconds: 40 * ms).isEmpty)
        #expect(history.retransmissions(for: [150], nowNanoseconds: now + 25 * ms, roundTripNanoseconds: 40 * ms).count == 1)
        // The budget (a quarter second's worth, 10 KB, at once) runs out.
        let burst = history.retransmissions(for: Array(160 ..< 199), nowNanoseconds: now + 30 * ms, roundTripNanoseconds: 40 * ms)
        #expect(burst.count < 10)
        // Older than a second: refused.
        #expect(history.retransmissions(for: [190], nowNanoseconds: 2_000 * ms).isEmpty)
        #expect(history.packetsRetransmitted == Int64(3 + burst.count))
        #expect(history.requestsRefused > 0)
    }

    // MARK: The receiver's requests

    @Test("A gap is asked for at once, again after a round trip, and given up after the wait")
    func requestsTimeline() {
        let ms: UInt64 = 1_000_000
        var requests = RetransmissionRequests(maximumRequests: 3)
        requests.received(10, nowNanoseconds: 0)
        requests.received(13, nowNanoseconds: 1 * ms)      // 11, 12 missing
        #expect(requests.isWaiting)
        #expect(requests.requestsDue(nowNanoseconds: 1 * ms) == [11, 12])
        #expect(requests.requestsDue(nowNanoseconds: 50 * ms).isEmpty)   // before the retry interval
        requests.received(11, nowNanoseconds: 61 * ms)     // came back after 60 ms: the round trip estimate moves
        #expect(requests.roundTrip < 100 * ms)
        #expect(requests.packetsRecovered == 1)
        #expect(requests.requestsDue(nowNanoseconds: 200 * ms) == [12])
        #expect(requests.abandoned(nowNanoseconds: 100 * ms) == nil)
        let wait = requests.wait
        #expect(wait >= 200 * ms && wait <= 1_000 * ms)
        #expect(requests.abandoned(nowNanoseconds: 1 * ms + wait) == 12)
        #expect(!requests.isWaiting)
        #expect(requests.packetsAbandoned == 1)
    }

    @Test("A reordered packet is not a recovery; a wide gap is given up at once; done frames are forgotten")
    func requestsEdges() {
        var requests = RetransmissionRequests(maximumMissing: 8)
        requests.received(0, nowNanoseconds: 0)
        requests.received(2, nowNanoseconds: 0)
        requests.received(1, nowNanoseconds: 1)
        #expect(requests.packetsRecovered == 0 && !requests.isWaiting)
        requests.received(100, nowNanoseconds: 2)          // 97 missing > 8
        #expect(requests.abandoned(nowNanoseconds: 2) == 99)
        requests.received(105, nowNanoseconds: 3)
        requests.forget(before: 104)
        #expect(requests.requestsDue(nowNanoseconds: 3) == [104])
        // Hostile jumps (half the 16-bit range each time) stay bounded.
        var sequence: Int64 = 105
        for _ in 0 ..< 1000 {
            sequence += 32767
            requests.received(sequence, nowNanoseconds: 4)
        }
        #expect(requests.requestsDue(nowNanoseconds: 5).count <= 8)
    }

    // MARK: The assembler as jitter buffer

    static func packets(frames: Int, packetsPerFrame: Int) -> [RTPPacket] {
        var packetizer = VP8Packetizer(sequencer: RTPSequencer(ssrc: 7, payloadType: 96, firstSequenceNumber: 65530), maximumPacketSize: 100)
        var packets: [RTPPacket] = []
        for index in 0 ..< frames {
            let keyframe = index == 0
            let data = [keyframe ? UInt8(0x10) : 0x11] + [UInt8](repeating: UInt8(index), count: packetsPerFrame * 80 - 1)
            packets += packetizer.packetize(frame: data, timestamp: UInt32(index) * 3000)
        }
        return packets
    }

    @Test("Waiting for retransmission: frames behind a hole are held, the copy lets them through, no keyframe asked")
    func assemblerWaitsForTheCopy() throws {
        let packets = Self.packets(frames: 6, packetsPerFrame: 3)
        #expect(packets.count == 18)
        var assembler = VP8FrameAssembler(waitsForRetransmission: true)
        var shown: [UInt32] = []
        for (index, packet) in packets.enumerated() where index != 4 {   // frame 1 loses its middle packet
            shown += try assembler.insert(packet).map(\.timestamp)
        }
        #expect(shown == [0])
        #expect(!assembler.needsKeyframe)
        shown += try assembler.insert(packets[4]).map(\.timestamp)
        #expect(shown == [0, 3000, 6000, 9000, 12000, 15000])
        #expect(assembler.framesDropped == 0)
    }

    @Test("Waiting for retransmission: giving up drops the broken frame and asks for a keyframe")
    func assemblerGivesUp() throws {
        let packets = Self.packets(frames: 6, packetsPerFrame: 3)
        var assembler = VP8FrameAssembler(waitsForRetransmission: true)
        var lostSequence: Int64?
        for (index, packet) in packets.enumerated() {
            if index == 4 {
                lostSequence = (assembler.lastInserted ?? 0) + 1
                continue
            }
            _ = try assembler.insert(packet)
        }
        let through = try #require(lostSequence)
        #expect(assembler.abandon(through: through - 1).isEmpty)   // not the missing one yet
        #expect(assembler.abandon(through: through).isEmpty)       // delta frames wait for a keyframe
        #expect(assembler.needsKeyframe)
        #expect(assembler.framesDropped >= 1)
        #expect(assembler.nextNeeded.map { $0 > through } == true)
    }

    @Test("A sender that keeps no history (a broadcast's: its viewers keep theirs) answers no NACK from it; a call's does")
    func senderHistoryCanBeOff() throws {
        func firstPacketsAnswered(records: Bool) throws -> Int {
            let sender = try VideoStreamSender(
                description: .vp8(port: 9), settings: VP8EncoderSettings(width: 320, height: 240, bitrate: 300_000, frameRate: 30),
                canonicalName: "history", ssrc: 42)
            sender.recordsRetransmissions = records
            let pattern = TestPatternGenerator(width: 320, height: 240)
            var sequences: [UInt16] = []
            for index in 0 ..< 3 {
                let now = UInt64(index) * 33_333_333
                for datagram in try sender.send(CapturedVideoFrame(frame: pattern.frame(index), captureTime: now, index: UInt64(index)), nowNanoseconds: now)
                where MultiplexedPacketKind.classify(datagram) == .rtp {
                    sequences.append(UInt16(datagram[2]) << 8 | UInt16(datagram[3]))
                }
            }
            let request = RTCPGenericNACK(senderSSRC: 1, mediaSSRC: 42, sequenceNumbers: Array(sequences.prefix(2)))
            return sender.retransmissions.answer(request, nowNanoseconds: 100_000_000).count
        }
        #expect(try firstPacketsAnswered(records: true) == 2)
        #expect(try firstPacketsAnswered(records: false) == 0)
    }
}
