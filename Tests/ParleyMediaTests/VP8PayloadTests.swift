import Testing
@testable import ParleyMedia

@Suite("VP8 RTP payload (RFC 7741)")
struct VP8PayloadTests {
    @Test(arguments: [
        VP8PayloadDescriptor(isStartOfPartition: true),
        VP8PayloadDescriptor(isNonReference: true, isStartOfPartition: false, partitionIndex: 5),
        VP8PayloadDescriptor(isStartOfPartition: true, pictureID: .short(0x55)),
        VP8PayloadDescriptor(isStartOfPartition: true, pictureID: .long(0x7ABC)),
        VP8PayloadDescriptor(isStartOfPartition: false, temporalLevelZeroIndex: 9),
        VP8PayloadDescriptor(isStartOfPartition: true, temporalLayerIndex: 2, isLayerSync: true),
        VP8PayloadDescriptor(isStartOfPartition: true, keyIndex: 17),
        VP8PayloadDescriptor(
            isNonReference: true, isStartOfPartition: true, partitionIndex: 7, pictureID: .long(1),
            temporalLevelZeroIndex: 200, temporalLayerIndex: 3, isLayerSync: false, keyIndex: 31),
    ])
    func descriptorRoundTrips(_ descriptor: VP8PayloadDescriptor) throws {
        let bytes = descriptor.serialized()
        let (parsed, size) = try VP8PayloadDescriptor.parse(bytes + [0xAB])
        #expect(parsed == descriptor)
        #expect(size == bytes.count)
    }

    @Test func descriptorBytesMatchTheRFCLayout() throws {
        // X=1, S=1, PID=0; I=1; M=1, PictureID 0x1234.
        let descriptor = VP8PayloadDescriptor(isStartOfPartition: true, pictureID: .long(0x1234))
        #expect(descriptor.serialized() == [0x90, 0x80, 0x92, 0x34])
        #expect(VP8PayloadDescriptor(isStartOfPartition: true).serialized() == [0x10])
    }

    @Test func truncatedDescriptorsAreRejected() {
        #expect(throws: VP8PayloadError.self) { try VP8PayloadDescriptor.parse([]) }
        #expect(throws: VP8PayloadError.emptyPayload) { try VP8PayloadDescriptor.parse([0x10]) }
        #expect(throws: VP8PayloadError.self) { try VP8PayloadDescriptor.parse([0x90]) }
        #expect(throws: VP8PayloadError.self) { try VP8PayloadDescriptor.parse([0x90, 0x80, 0x92]) }
        #expect(throws: VP8PayloadError.self) { try VP8PayloadDescriptor.parse([0x90, 0xF0, 0x12, 0x01]) }
    }
}

@Suite("VP8 packetizer and frame assembler")
struct VP8FrameAssemblyTests {
    static func frame(size: Int, keyframe: Bool, seed: UInt8) -> [UInt8] {
        var bytes = (0 ..< size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
        bytes[0] = keyframe ? 0x10 : 0x11
        return bytes
    }

    static func packetizer(first: UInt16 = 1000) -> VP8Packetizer {
        VP8Packetizer(sequencer: RTPSequencer(ssrc: 0xCAFE, payloadType: 96, firstSequenceNumber: first))
    }

    /// Wire round trip, so the assembler sees what a receiver would.
    static func wire(_ packet: RTPPacket) throws -> RTPPacket {
        try RTPPacket(parsing: packet.serialized())
    }

    @Test func packetsRespectTheMTUAndCarryTheFrameBoundaries() throws {
        var packetizer = Self.packetizer()
        let packets = packetizer.packetize(frame: Self.frame(size: 5000, keyframe: true, seed: 1), timestamp: 9000)
        #expect(packets.count == 5)
        for (index, packet) in packets.enumerated() {
            #expect(try packet.serialized().count <= 1200)
            #expect(packet.header.timestamp == 9000)
            #expect(packet.header.sequenceNumber == 1000 + UInt16(index))
            #expect(packet.header.marker == (index == packets.count - 1))
            let (descriptor, _) = try VP8PayloadDescriptor.parse(packet.payload)
            #expect(descriptor.startsFrame == (index == 0))
            #expect(descriptor.pictureID == .long(0))
        }
        let next = packetizer.packetize(frame: [0x11, 2, 3], timestamp: 12000)
        #expect(next.count == 1)
        #expect(try VP8PayloadDescriptor.parse(next[0].payload).descriptor.pictureID == .long(1))
    }

    @Test func framesRoundTripAcrossTheSequenceWrap() throws {
        var packetizer = Self.packetizer(first: 65530)
        var assembler = VP8FrameAssembler()
        var sent: [[UInt8]] = []
        var received: [VP8AssembledFrame] = []
        for index in 0 ..< 10 {
            let frame = Self.frame(size: index == 0 ? 4000 : 300 + index * 150, keyframe: index == 0, seed: UInt8(index))
            sent.append(frame)
            for packet in packetizer.packetize(frame: frame, timestamp: UInt32(index * 3000)) {
                received += try assembler.insert(Self.wire(packet))
            }
        }
        #expect(received.map(\.data) == sent)
        #expect(received.map(\.timestamp) == (0 ..< 10).map { UInt32($0 * 3000) })
        #expect(received.first?.isKeyframe == true)
        #expect(received.dropFirst().allSatisfy { !$0.isKeyframe })
        #expect(assembler.framesDropped == 0)
        #expect(!assembler.needsKeyframe)
    }

    @Test func lossInTheMiddleOfAFrameDropsItAndRequestsAKeyframe() throws {
        var packetizer = Self.packetizer()
        var assembler = VP8FrameAssembler()
        var received: [VP8AssembledFrame] = []
        let keyframe = Self.frame(size: 3000, keyframe: true, seed: 0)
        for packet in packetizer.packetize(frame: keyframe, timestamp: 0) { received += try assembler.insert(packet) }
        // Delta frame of 3 packets; the middle one is lost.
        let broken = packetizer.packetize(frame: Self.frame(size: 3000, keyframe: false, seed: 1), timestamp: 3000)
        #expect(broken.count == 3)
        received += try assembler.insert(broken[0])
        received += try assembler.insert(broken[2])
        // Later delta frames depend on the lost one: never output.
        for index in 2 ..< 6 {
            for packet in packetizer.packetize(frame: Self.frame(size: 500, keyframe: false, seed: UInt8(index)), timestamp: UInt32(index * 3000)) {
                received += try assembler.insert(packet)
            }
        }
        #expect(received.count == 1)
        #expect(received[0].data == keyframe)
        let requested = assembler.takeKeyframeRequest()
        #expect(requested)
        #expect(!assembler.needsKeyframe)
        #expect(assembler.framesDropped >= 1)
        // The keyframe answering the PLI restarts the output.
        let fresh = Self.frame(size: 2500, keyframe: true, seed: 9)
        for packet in packetizer.packetize(frame: fresh, timestamp: 30000) { received += try assembler.insert(packet) }
        let after = Self.frame(size: 400, keyframe: false, seed: 10)
        for packet in packetizer.packetize(frame: after, timestamp: 33000) { received += try assembler.insert(packet) }
        #expect(received.map(\.data) == [keyframe, fresh, after])
    }

    @Test func lostLastPacketNeverYieldsAFrame() throws {
        var packetizer = Self.packetizer()
        var assembler = VP8FrameAssembler()
        var received: [VP8AssembledFrame] = []
        let packets = packetizer.packetize(frame: Self.frame(size: 2400, keyframe: true, seed: 3), timestamp: 0)
        for packet in packets.dropLast() { received += try assembler.insert(packet) }
        #expect(received.isEmpty)
        // A complete keyframe after the gap is output; the broken one is not.
        let next = Self.frame(size: 2400, keyframe: true, seed: 4)
        for packet in packetizer.packetize(frame: next, timestamp: 3000) { received += try assembler.insert(packet) }
        #expect(received.map(\.data) == [next])
    }

    @Test func reorderedPacketsStillAssemble() throws {
        var packetizer = Self.packetizer(first: 65533)
        var assembler = VP8FrameAssembler()
        var frames: [[UInt8]] = [Self.frame(size: 3300, keyframe: true, seed: 0)]
        var packets = packetizer.packetize(frame: frames[0], timestamp: 0)
        for index in 1 ..< 4 {
            frames.append(Self.frame(size: 2000, keyframe: false, seed: UInt8(index)))
            packets += packetizer.packetize(frame: frames[index], timestamp: UInt32(index * 3000))
        }
        // Swap neighbours pairwise and move the first packet of frame 2 two places later.
        var shuffled = packets
        for index in stride(from: 0, to: shuffled.count - 1, by: 2) { shuffled.swapAt(index, index + 1) }
        let moved = shuffled.remove(at: 5)
        shuffled.insert(moved, at: 7)
        var received: [VP8AssembledFrame] = []
        for packet in shuffled { received += try assembler.insert(packet) }
        #expect(received.map(\.data) == frames)
        #expect(assembler.framesDropped == 0)
        // A duplicate of an old packet is discarded.
        let duplicate = try assembler.insert(packets[0])
        #expect(duplicate.isEmpty)
        #expect(assembler.packetsDiscarded == 1)
    }

    @Test func joiningMidStreamWaitsForAKeyframe() throws {
        var packetizer = Self.packetizer()
        var assembler = VP8FrameAssembler()
        var received: [VP8AssembledFrame] = []
        for index in 0 ..< 3 {
            for packet in packetizer.packetize(frame: Self.frame(size: 200, keyframe: false, seed: UInt8(index)), timestamp: UInt32(index * 3000)) {
                received += try assembler.insert(packet)
            }
        }
        #expect(received.isEmpty)
        let requested = assembler.takeKeyframeRequest()
        #expect(requested)
        let keyframe = Self.frame(size: 1500, keyframe: true, seed: 7)
        for packet in packetizer.packetize(frame: keyframe, timestamp: 9000) { received += try assembler.insert(packet) }
        #expect(received.map(\.data) == [keyframe])
    }
}

@Suite("Opus RTP payload (RFC 7587)")
struct OpusPayloadTests {
    @Test func timestampsAdvanceAndTheMarkerStartsTalkspurts() throws {
        var packetizer = OpusPacketizer(sequencer: RTPSequencer(ssrc: 1, payloadType: 111, firstSequenceNumber: 65535), firstTimestamp: UInt32.max - 959)
        let packets = [packetizer.packetize(opusPacket: [1, 2, 3]), packetizer.packetize(opusPacket: [4])]
        let silent = packetizer.packetize(opusPacket: nil)
        #expect(silent == nil)   // DTX: nothing sent
        let last = packetizer.packetize(opusPacket: [5])
        let first = try #require(packets[0]), second = try #require(packets[1]), third = try #require(last)
        #expect(first.header.marker && !second.header.marker && third.header.marker)
        #expect(first.header.timestamp == UInt32.max - 959)
        #expect(second.header.timestamp == 0)
        #expect(third.header.timestamp == 1920)
        #expect([first, second, third].map(\.header.sequenceNumber) == [65535, 0, 1])
        let parsed = try RTPPacket(parsing: third.serialized())
        #expect(OpusPacketizer.opusPacket(in: parsed) == [5])
        #expect(OpusPacketizer.opusPacket(in: RTPPacket(header: parsed.header, payload: [])) == nil)
    }
}
