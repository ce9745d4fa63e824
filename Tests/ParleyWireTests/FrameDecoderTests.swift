import ParleyWire
import Testing

@Suite("FrameDecoder")
struct FrameDecoderTests {
    private var stream: [UInt8] { sampleMessages.flatMap { $0.encoded() } }

    private func drain(_ decoder: inout FrameDecoder) throws(WireError) -> [WireMessage] {
        var messages: [WireMessage] = []
        while let frame = try decoder.nextFrame() {
            messages.append(try WireMessage(frame: frame))
        }
        return messages
    }

    @Test func manyFramesInOneChunk() throws {
        var decoder = FrameDecoder()
        decoder.append(stream)
        #expect(try drain(&decoder) == sampleMessages)
        #expect(decoder.bufferedByteCount == 0)
        #expect(try decoder.nextFrame() == nil)
    }

    @Test func byteAtATime() throws {
        var decoder = FrameDecoder()
        var messages: [WireMessage] = []
        for byte in stream {
            decoder.append(CollectionOfOne(byte))
            messages += try drain(&decoder)
        }
        #expect(messages == sampleMessages)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: [2, 3, 7, 64, 1000])
    func arbitraryChunks(size: Int) throws {
        let bytes = stream
        var decoder = FrameDecoder()
        var messages: [WireMessage] = []
        var index = 0
        while index < bytes.count {
            let end = min(index + size, bytes.count)
            decoder.append(bytes[index ..< end])
            index = end
            messages += try drain(&decoder)
        }
        #expect(messages == sampleMessages)
    }

    @Test func partialFrameWaitsForMore() throws {
        let bytes = WireMessage.ping(nonce: 42).encoded()
        var decoder = FrameDecoder()
        decoder.append(bytes.dropLast())
        #expect(try decoder.nextFrame() == nil)
        #expect(decoder.bufferedByteCount == bytes.count - 1)
        decoder.append(bytes.suffix(1))
        #expect(try decoder.nextFrame() == WireMessage.ping(nonce: 42).frame())
    }

    @Test func oversizeLengthRejectedFromHeaderAlone() {
        var decoder = FrameDecoder()
        decoder.append(hex("FFFFFFFF 0010 01 00"))  // no payload at all
        #expect(wireError { _ = try decoder.nextFrame() }
            == .frameTooLarge(length: 0xFFFF_FFFF, limit: WireLimits.maxPayloadLength))
        // Still an error on retry: the stream is dead.
        #expect(wireError { _ = try decoder.nextFrame() } != nil)
    }

    @Test func limitIsInclusive() throws {
        var decoder = FrameDecoder(maxPayloadLength: 4)
        decoder.append(frameBytes(type: .ping, payload: [0, 0, 0, 0]))
        #expect(try decoder.nextFrame()?.payload.count == 4)
        decoder.append(hex("00000005 0002 01 00"))
        #expect(wireError { _ = try decoder.nextFrame() } == .frameTooLarge(length: 5, limit: 4))
    }

    @Test func defaultLimitIsOneMiB() throws {
        #expect(WireLimits.maxPayloadLength == 1_048_576)
        var decoder = FrameDecoder()
        decoder.append(hex("00100001 0105 01 00"))
        #expect(wireError { _ = try decoder.nextFrame() } == .frameTooLarge(length: 1_048_577, limit: 1_048_576))

        var exact = FrameDecoder()
        let payload = [UInt8](repeating: 0x5A, count: WireLimits.maxPayloadLength)
        exact.append(frameBytes(type: FrameType(0x02F5), payload: payload))
        #expect(try exact.nextFrame()?.payload == payload)
    }

    @Test func flagsArePreservedOnFramesAndIgnoredByMessages() throws {
        var decoder = FrameDecoder()
        decoder.append(hex("00000001 0012 01 A5 01"))
        let frame = try #require(try decoder.nextFrame())
        #expect(frame.flags == 0xA5)
        #expect(try WireMessage(frame: frame) == .typing(active: true))
    }

    @Test func largeStreamInSmallChunksIsFast() throws {
        // 20,000 frames fed 100 bytes at a time: quadratic buffering would take seconds.
        let one = WireMessage.chat(ChatMessage(id: sampleID, sentAt: 1, body: "x")).encoded()
        let bytes = Array([[UInt8]](repeating: one, count: 20_000).joined())
        var decoder = FrameDecoder()
        var count = 0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            var index = 0
            while index < bytes.count {
                let end = min(index + 100, bytes.count)
                decoder.append(bytes[index ..< end])
                index = end
                while try decoder.nextFrame() != nil { count += 1 }
            }
        }
        #expect(count == 20_000)
        #expect(elapsed < .seconds(5))
    }
}
