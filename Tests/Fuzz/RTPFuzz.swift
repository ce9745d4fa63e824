// libFuzzer target for ParleyMedia's RTP/RTCP layer. Not part of the SwiftPM package:
// it is compiled together with Sources/ParleyMedia/RTP/*.swift, see README.md.
//
// Byte 0 of the input chooses the parser (even = RTP, odd = compound RTCP), the rest is
// the datagram. Checked properties (any violation calls fatalError):
//  * parsing never traps; the rtcp-mux classification never traps;
//  * an RTP packet re-serializes to the same bytes (padding content aside) and parses
//    back to an equal packet;
//  * a compound RTCP packet re-serializes and parses back to equal packets;
//  * receiver statistics fed with the parsed header keep loss within what was expected.

#if canImport(ParleyMedia)
import ParleyMedia
#endif

private nonisolated(unsafe) var statistics = RTPReceiverStatistics(clockRate: 90000)
private nonisolated(unsafe) var clock: UInt64 = 0

private func checkRTP(_ bytes: [UInt8]) {
    guard let packet = try? RTPPacket(parsing: bytes) else { return }
    guard let again = try? packet.serialized() else { fatalError("parsed packet does not serialize: \(packet)") }
    if again.count != bytes.count { fatalError("size changed: \(bytes.count) -> \(again.count)") }
    let unpadded = bytes.count - packet.paddingLength
    if again[..<unpadded] != bytes[..<unpadded] || again.last != bytes.last {
        fatalError("bytes changed in a round trip: \(bytes) -> \(again)")
    }
    guard let reparsed = try? RTPPacket(parsing: again), reparsed == packet else {
        fatalError("round trip changed the packet: \(packet)")
    }
    clock &+= UInt64(packet.header.timestamp % 1_000_000)
    statistics.record(packet.header, arrivalNanoseconds: clock)
    if statistics.cumulativeLost > statistics.packetsExpected { fatalError("lost more than expected") }
    _ = statistics.makeReportBlock(nowNanoseconds: clock)
}

private func checkRTCP(_ bytes: [UInt8]) {
    guard let packets = try? RTCPPacket.parseCompound(bytes) else { return }
    guard let again = try? RTCPPacket.serializeCompound(packets) else { fatalError("parsed RTCP does not serialize: \(packets)") }
    if again.count > bytes.count { fatalError("re-serialized RTCP grew: \(bytes.count) -> \(again.count)") }
    guard let reparsed = try? RTCPPacket.parseCompound(again), reparsed == packets else {
        fatalError("RTCP round trip changed the packets: \(packets)")
    }
    for case let .senderReport(report) in packets {
        statistics.recordSenderReport(report, arrivalNanoseconds: clock)
        for block in report.reportBlocks { _ = block.roundTripTime(arrivedAt: report.ntpTimestamp) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let datagram = Array(input.dropFirst())
    _ = MultiplexedPacketKind.classify(datagram)
    if input[0] & 1 == 0 { checkRTP(datagram) } else { checkRTCP(datagram) }
    return 0
}
