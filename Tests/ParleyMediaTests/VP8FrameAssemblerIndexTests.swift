import Testing
@testable import ParleyMedia

/// The indexed `VP8FrameAssembler` against the rescanning one it replaced
/// (`ReferenceVP8FrameAssembler`), and the edges of its index.
@Suite("VP8 frame assembler index")
struct VP8FrameAssemblerIndexTests {
    /// A VP8 payload: a one-byte descriptor (S bit, partition 0 or 1) and `size` bytes of
    /// data whose first byte says keyframe or not.
    static func payload(startsFrame: Bool, keyframe: Bool, partition: UInt8 = 0, size: Int, using generator: inout SplitMix64) -> [UInt8] {
        [(startsFrame ? 0x10 : 0x00) | partition, keyframe ? 0x10 : 0x11]
            + (0 ..< size).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
    }

    static func packet(sequence: UInt16, timestamp: UInt32, marker: Bool, payload: [UInt8]) -> RTPPacket {
        RTPPacket(header: RTPHeader(marker: marker, payloadType: 96, sequenceNumber: sequence, timestamp: timestamp, ssrc: 7), payload: payload)
    }

    /// A stream of frames (1–6 packets each, keyframes now and then) with loss, duplicates
    /// (some with another marker, S bit, keyframe bit or timestamp), reordering, and, when
    /// `hostile`, flipped S bits and markers, timestamp changes inside frames and jumps of
    /// the sequence number.
    static func damagedStream(hostile: Bool, using generator: inout SplitMix64) -> [RTPPacket] {
        var packets: [RTPPacket] = []
        var sequence = UInt16.random(in: 0 ... .max, using: &generator)
        var timestamp = UInt32.random(in: 0 ... .max, using: &generator)
        for index in 0 ..< Int.random(in: 1 ... 60, using: &generator) {
            let count = Int.random(in: 1 ... 6, using: &generator)
            let keyframe = index == 0 || Int.random(in: 0 ..< 6, using: &generator) == 0
            for part in 0 ..< count {
                var startsFrame = part == 0, marker = part == count - 1, frameTimestamp = timestamp
                if hostile {
                    if Int.random(in: 0 ..< 10, using: &generator) == 0 { startsFrame.toggle() }
                    if Int.random(in: 0 ..< 10, using: &generator) == 0 { marker.toggle() }
                    if Int.random(in: 0 ..< 15, using: &generator) == 0 { frameTimestamp &+= 3000 }
                }
                let payload = Self.payload(
                    startsFrame: startsFrame, keyframe: keyframe, size: Int.random(in: 1 ... 4, using: &generator), using: &generator)
                packets.append(Self.packet(sequence: sequence, timestamp: frameTimestamp, marker: marker, payload: payload))
                sequence &+= 1
                if hostile && Int.random(in: 0 ..< 40, using: &generator) == 0 {
                    sequence &+= UInt16.random(in: 1 ... 40000, using: &generator)
                }
            }
            timestamp &+= 3000
        }
        var damaged: [RTPPacket] = []
        for packet in packets {
            let roll = Int.random(in: 0 ..< 100, using: &generator)
            if roll < 8 { continue }   // lost
            damaged.append(packet)
            if roll >= 92 {            // duplicated, maybe altered, a little later or earlier
                var copy = packet
                if Bool.random(using: &generator) { copy.header.marker.toggle() }
                if Bool.random(using: &generator) { copy.payload[0] ^= 0x10 }
                if Bool.random(using: &generator) { copy.payload[1] ^= 0x01 }
                if Bool.random(using: &generator) { copy.header.timestamp &+= 3000 }
                damaged.insert(copy, at: Int.random(in: max(0, damaged.count - 6) ... damaged.count, using: &generator))
            }
        }
        for _ in 0 ..< damaged.count / 4 where damaged.count > 2 {
            let first = Int.random(in: 0 ..< damaged.count, using: &generator)
            damaged.swapAt(first, min(damaged.count - 1, first + Int.random(in: 1 ... 6, using: &generator)))
        }
        return damaged
    }

    /// Packets drawn from a few sequence numbers and timestamps with random S bits,
    /// partitions, keyframe bits and markers: many collisions and overwrites.
    static func randomPackets(using generator: inout SplitMix64) -> [RTPPacket] {
        let base = UInt16.random(in: 0 ... .max, using: &generator)
        return (0 ..< Int.random(in: 1 ... 300, using: &generator)).map { _ in
            Self.packet(
                sequence: base &+ UInt16.random(in: 0 ... 40, using: &generator) &- 10,
                timestamp: UInt32.random(in: 0 ... 3, using: &generator) * 3000,
                marker: Int.random(in: 0 ..< 3, using: &generator) == 0,
                payload: Self.payload(
                    startsFrame: Bool.random(using: &generator), keyframe: Bool.random(using: &generator),
                    partition: Bool.random(using: &generator) ? 1 : 0, size: 0, using: &generator))
        }
    }

    /// Feeds `packets` to both assemblers; records the first packet after which their
    /// frames, counters or keyframe requests differ.
    static func expectSameBehaviour(_ packets: [RTPPacket], reorderTolerance: Int, capacity: Int, generator: inout SplitMix64, stream: String) {
        var indexed = VP8FrameAssembler(reorderTolerance: reorderTolerance, capacity: capacity)
        var reference = ReferenceVP8FrameAssembler(reorderTolerance: reorderTolerance, capacity: capacity)
        for (position, packet) in packets.enumerated() {
            let frames = try? indexed.insert(packet)
            let expected = try? reference.insert(packet)
            let same = frames == expected && indexed.framesAssembled == reference.framesAssembled
                && indexed.framesDropped == reference.framesDropped && indexed.packetsDiscarded == reference.packetsDiscarded
                && indexed.needsKeyframe == reference.needsKeyframe
            guard same else {
                Issue.record("""
                    \(stream), packet \(position) (sequence \(packet.header.sequenceNumber)): \
                    \(frames?.count ?? -1) frames vs \(expected?.count ?? -1); assembled \(indexed.framesAssembled) vs \
                    \(reference.framesAssembled), dropped \(indexed.framesDropped) vs \(reference.framesDropped), \
                    discarded \(indexed.packetsDiscarded) vs \(reference.packetsDiscarded)
                    """)
                return
            }
            if Int.random(in: 0 ..< 5, using: &generator) == 0 {
                let requested = indexed.takeKeyframeRequest(), expectedRequest = reference.takeKeyframeRequest()
                #expect(requested == expectedRequest)
            }
        }
    }

    @Test(arguments: 0 ..< 4)
    func behavesExactlyLikeTheRescanningAssembler(seed: Int) {
        var generator = SplitMix64(seed: UInt64(seed) &* 0x1234_5678_9ABC + 1)
        for stream in 0 ..< 300 {
            let kind = stream % 3
            let packets = kind == 2
                ? Self.randomPackets(using: &generator)
                : Self.damagedStream(hostile: kind == 1, using: &generator)
            Self.expectSameBehaviour(
                packets, reorderTolerance: Int.random(in: 0 ... 5, using: &generator),
                capacity: [4, 8, 16, 64, 2048].randomElement(using: &generator)!, generator: &generator,
                stream: "seed \(seed) stream \(stream)")
        }
    }

    /// A loss resumes at the next frame start, here in the middle of a run of consecutive
    /// packets: the packets before it go, the rest of the run still counts as present.
    @Test func resumingInsideARunOfPacketsKeepsTheRestOfTheRun() throws {
        var generator = SplitMix64(seed: 3)
        var assembler = VP8FrameAssembler()
        func send(_ sequence: UInt16, _ timestamp: UInt32, start: Bool, marker: Bool, keyframe: Bool = false) throws -> [VP8AssembledFrame] {
            try assembler.insert(Self.packet(
                sequence: sequence, timestamp: timestamp, marker: marker,
                payload: Self.payload(startsFrame: start, keyframe: keyframe, size: 3, using: &generator)))
        }
        #expect(try send(100, 0, start: true, marker: true, keyframe: true).count == 1)
        // Delta frame 101–103 loses 102; 103… arrive in a row.
        #expect(try send(101, 3000, start: true, marker: false).isEmpty)
        #expect(try send(103, 3000, start: false, marker: true).isEmpty)
        #expect(try send(104, 6000, start: true, marker: false).isEmpty)
        #expect(try send(105, 6000, start: false, marker: true).isEmpty)
        // 106 makes the gap at 102 count as loss: resume at 104, inside the run 103…106.
        #expect(try send(106, 9000, start: true, marker: false).isEmpty)
        let requested = assembler.takeKeyframeRequest()
        #expect(requested)
        #expect(assembler.framesDropped == 2)   // the broken frame, then 104–105 (a delta frame)
        #expect(try send(107, 9000, start: false, marker: false).isEmpty)
        #expect(try send(108, 9000, start: false, marker: true).isEmpty)   // complete, but a delta frame
        #expect(assembler.framesDropped == 3)
        let keyframe = try send(109, 12000, start: true, marker: true, keyframe: true)
        #expect(keyframe.map(\.timestamp) == [12000])
        #expect(try send(110, 15000, start: true, marker: true).map(\.timestamp) == [15000])
    }

    /// A duplicate replaces the packet it copies; when it carries another marker, the frame
    /// ends where the latest copy says, and never across a gap.
    @Test func aDuplicateWithAnotherMarkerReplacesTheFirstCopy() throws {
        var generator = SplitMix64(seed: 5)
        var assembler = VP8FrameAssembler()
        var reference = ReferenceVP8FrameAssembler()
        let packets = [
            Self.packet(sequence: 10, timestamp: 0, marker: false, payload: Self.payload(startsFrame: true, keyframe: true, size: 2, using: &generator)),
            Self.packet(sequence: 11, timestamp: 0, marker: true, payload: Self.payload(startsFrame: false, keyframe: true, size: 2, using: &generator)),
        ]
        // 11 first arrives without a marker, then with one: the frame completes then.
        var withoutMarker = packets[1]
        withoutMarker.header.marker = false
        for packet in [packets[0], withoutMarker] {
            #expect(try assembler.insert(packet).isEmpty)
            #expect(try reference.insert(packet).isEmpty)
        }
        let frames = try assembler.insert(packets[1])
        #expect(frames == (try reference.insert(packets[1])))
        #expect(frames.map(\.data) == [Array(packets[0].payload.dropFirst()) + Array(packets[1].payload.dropFirst())])
        #expect(frames.first?.isKeyframe == true)
    }

    /// Every packet starts a frame, none has a marker, timestamps are random: nothing is
    /// handed on, the buffer is dropped when full, and a keyframe afterwards still comes out.
    @Test func aStreamOfUnfinishedFramesIsHeldThenDropped() throws {
        var generator = SplitMix64(seed: 11)
        var assembler = VP8FrameAssembler(capacity: 2048)
        for index in 0 ..< 2049 {
            let packet = Self.packet(
                sequence: UInt16(truncatingIfNeeded: index), timestamp: UInt32.random(in: 0 ... .max, using: &generator), marker: false,
                payload: Self.payload(startsFrame: true, keyframe: true, size: 8, using: &generator))
            #expect(try assembler.insert(packet).isEmpty)
        }
        #expect(assembler.packetsDiscarded == 2049)
        let requested = assembler.takeKeyframeRequest()
        #expect(requested)
        let keyframe = Self.packet(
            sequence: 2049, timestamp: 1, marker: true, payload: Self.payload(startsFrame: true, keyframe: true, size: 8, using: &generator))
        #expect(try assembler.insert(keyframe).map(\.timestamp) == [1])
    }
}
