// libFuzzer target for what `parley stream receive` does with outside input, end to end:
// the SDP, then datagrams through the same reception path (RTPReception: SRTP, RTP/RTCP
// parsing, statistics; VideoStreamReceiver: VP8 frame assembly and libvpx decoding with
// its size checks, keyframe requests; AudioStreamReceiver: the jitter buffer, libopus
// decoding, FEC and PLC, and receiver reports). Compiled with all of
// Sources/ParleyMedia and libopus, libvpx, libsrtp2 (and the other system libraries the
// module links), see `make fuzz-stream`.
//
// Input: SDP text up to the first 0x00 byte, then datagrams, each
//   [length high][length low][flags][bytes…]
// flags bit 0 picks the stream (0 = audio, 1 = video, whichever the SDP has when it has
// one), bits 1…7 advance the clock by that many milliseconds before the datagram
// arrives; every 20 ms of that clock audio plays one frame, and both streams report.
// Checked properties (any violation calls fatalError; a trap is a finding too):
//  * an SDP that parses and passes `validate()` (what `stream receive` checks before it
//    binds) builds receivers without failing;
//  * every decoded picture has a size the decoder accepts (16...4096 each, at most
//    3840x2160 pixels), even sizes, and planes of the right length;
//  * every played audio frame is 20 ms; counters never go negative; packets counted as
//    received never exceed the datagrams given.

#if canImport(ParleyMedia)
import ParleyMedia
#endif

private func fail(_ message: String) -> Never { fatalError(message) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let split = input.firstIndex(of: 0) ?? input.count
    guard let sdp = try? SessionDescription(parsing: String(decoding: input[..<split], as: UTF8.self)) else { return 0 }
    let audioMedia = sdp.audio
    let videoMedia = sdp.video
    // As StreamReceiver.run does before binding the ports.
    do {
        try audioMedia?.validate()
        try videoMedia?.validate()
    } catch {
        fail("a parsed SDP failed validate(): \(error)")
    }
    let audio: AudioStreamReceiver?
    let video: VideoStreamReceiver?
    do {
        audio = try audioMedia.map { try AudioStreamReceiver(description: $0, canonicalName: "fuzz") }
        video = try videoMedia.map { try VideoStreamReceiver(description: $0, canonicalName: "fuzz", decoderThreads: 1) }
    } catch {
        fail("receivers for a valid SDP could not be built: \(error)")
    }

    var now: UInt64 = 1_000_000_000
    var nextTick = now
    var datagrams = [0, 0]   // audio, video
    var offset = split + 1
    while offset + 3 <= input.count {
        let length = Int(input[offset]) << 8 | Int(input[offset + 1])
        let flags = input[offset + 2]
        offset += 3
        let datagram = Array(input[offset ..< min(input.count, offset + length)])
        offset += length
        now += UInt64(flags >> 1) * 1_000_000
        while nextTick <= now {
            if let audio, let samples = audio.playout(), samples.count != VoiceFormat.samplesPerFrame {
                fail("played \(samples.count) samples, not one 20 ms frame")
            }
            _ = try? audio?.reportIfDue(nowNanoseconds: nextTick)
            _ = try? video?.feedbackIfDue(nowNanoseconds: nextTick)
            nextTick += 20_000_000
        }
        let toVideo = flags & 1 == 1 ? video != nil : audio == nil
        if toVideo, let video {
            datagrams[1] += 1
            for decoded in video.receive(datagram, nowNanoseconds: now) {
                let frame = decoded.frame
                guard VP8VideoDecoder.dimensionRange.contains(frame.width), VP8VideoDecoder.dimensionRange.contains(frame.height),
                      frame.width * frame.height <= VP8VideoDecoder.defaultMaximumPixels, frame.width % 2 == 0, frame.height % 2 == 0,
                      frame.planes.count == I420Frame.byteCount(width: frame.width, height: frame.height)
                else { fail("decoded a \(frame.width)x\(frame.height) frame of \(frame.planes.count) bytes") }
            }
            _ = try? video.feedbackIfDue(nowNanoseconds: now)
        } else if let audio {
            datagrams[0] += 1
            audio.receive(datagram, nowNanoseconds: now)
        }
    }
    for (index, statistics) in [audio?.statistics(nowNanoseconds: now), video?.statistics(nowNanoseconds: now)].enumerated() {
        guard let statistics else { continue }
        if statistics.packetsReceived > datagrams[index] || statistics.packetsRejected > datagrams[index] {
            fail("\(statistics.packetsReceived) packets received, \(statistics.packetsRejected) rejected of \(datagrams[index]) datagrams")
        }
        if statistics.decoderErrors < 0 || statistics.framesDecoded < 0 || statistics.packetsReceived < 0 {
            fail("a counter went negative: \(statistics)")
        }
        if !(statistics.lossFraction >= 0) || !statistics.jitterMilliseconds.isFinite {
            fail("loss \(statistics.lossFraction), jitter \(statistics.jitterMilliseconds)")
        }
    }
    return 0
}
