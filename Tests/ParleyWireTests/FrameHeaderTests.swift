import ParleyWire
import Testing

@Suite("FrameHeader and Frame")
struct FrameHeaderTests {
    @Test func parsesAllFields() throws {
        let header = try FrameHeader(parsing: hex("00010203 0405 06 07 FFFF"))
        #expect(header == FrameHeader(length: 0x0001_0203, type: 0x0405, version: 6, flags: 7))
        #expect(header.encoded() == hex("00010203 0405 06 07"))
    }

    @Test func parsesFromSlices() throws {
        let bytes = hex("AA 00000000 0002 01 00")
        let header = try FrameHeader(parsing: bytes[1...])
        #expect(header == FrameHeader(length: 0, type: FrameType.ping.rawValue, version: 1, flags: 0))
    }

    @Test func needsEightBytes() {
        for count in 0 ..< FrameHeader.size {
            let bytes = [UInt8](repeating: 0, count: count)
            #expect(wireError { _ = try FrameHeader(parsing: bytes) } == .truncated(field: "frame.header"))
        }
    }

    @Test func encodedFrameIsHeaderThenPayload() {
        let frame = Frame(type: 0x0012, payload: [1])
        #expect(frame.version == 1 && frame.flags == 0)
        #expect(frame.encoded() == hex("00000001 0012 01 00 01"))
        #expect(frame.header.length == 1)
    }

    @Test func frameTypeNames() {
        #expect(FrameType.chatMessage.description == "CHAT_MESSAGE")
        #expect(FrameType(0x02F5).description == "0x02F5")
        #expect(FrameType(0xF00D).name == nil)
        #expect(FrameType.known.count == 30)
        #expect(FrameType.fileTransferRange.contains(0x01FF))
    }
}
