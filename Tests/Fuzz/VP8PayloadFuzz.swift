// libFuzzer target for the VP8 RTP payload (RFC 7741) parser and frame assembler.
// Compiled with Sources/ParleyMedia/RTP/*.swift and Sources/ParleyMedia/Payload/*.swift,
// see README.md.
//
// The input is a list of packets: [length UInt8][flags UInt8][sequence delta UInt8][payload].
// flags bit 0 = marker, bits 1-3 = timestamp step (in frames). Checked properties:
//  * descriptor parsing never traps; a parsed descriptor re-serializes to the same bytes
//    (reserved bits aside) and parses back equal;
//  * the assembler never traps, never outputs an empty frame, and never outputs more
//    frames than frame-starting packets it was given.

#if canImport(ParleyMedia)
import ParleyMedia
#endif

private func checkDescriptor(_ payload: [UInt8]) {
    guard let (descriptor, size) = try? VP8PayloadDescriptor.parse(payload) else { return }
    let bytes = descriptor.serialized()
    guard let (again, againSize) = try? VP8PayloadDescriptor.parse(bytes + [0]), again == descriptor, againSize == bytes.count else {
        fatalError("descriptor round trip failed: \(descriptor)")
    }
    if bytes.count > size { fatalError("re-serialized descriptor grew: \(size) -> \(bytes.count)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var assembler = VP8FrameAssembler()
    var frameStarts = 0
    var framesOut = 0
    var sequence: UInt16 = 65530
    var timestamp: UInt32 = 0
    var offset = 0
    while offset + 3 <= input.count {
        let length = Int(input[offset])
        let flags = input[offset + 1]
        sequence &+= UInt16(input[offset + 2] % 8) &- 2
        offset += 3
        let payload = Array(input[offset ..< min(input.count, offset + length)])
        offset += length
        checkDescriptor(payload)
        timestamp &+= UInt32((flags >> 1) & 7) * 3000
        let packet = RTPPacket(
            header: RTPHeader(marker: flags & 1 != 0, payloadType: 96, sequenceNumber: sequence, timestamp: timestamp, ssrc: 1),
            payload: payload)
        if let (descriptor, _) = try? VP8PayloadDescriptor.parse(payload), descriptor.startsFrame { frameStarts += 1 }
        guard let frames = try? assembler.insert(packet) else { continue }
        for frame in frames where frame.data.isEmpty {
            fatalError("empty frame output: \(frame)")
        }
        framesOut += frames.count
        if framesOut > frameStarts { fatalError("\(framesOut) frames out of \(frameStarts) frame starts") }
        _ = assembler.takeKeyframeRequest()
    }
    return 0
}
