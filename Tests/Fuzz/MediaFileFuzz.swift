// libFuzzer target for the WAV and Y4M parsers (no file I/O: `WAVFile.parse` and
// `Y4MFile.parse` read bytes, the same rules as `WAVFile.read` and `Y4MReader`).
// Compiled with Sources/ParleyMedia/Files/*.swift, Video/I420Frame.swift and
// Clock/*.swift, see README.md.
//
// Every input goes to both parsers (each refuses the other's files at once). Checked:
//  * parsing never traps; errors are MediaFileError (typed throws);
//  * parsed WAV audio has a sample rate and channels, and serialize → parse gives it back;
//  * a parsed Y4M header has an even size in I420Frame.dimensionRange, every frame has
//    its size, and serialize → parse gives header and frames back;
//  * the header is usable as Y4MFileSource uses it: a RealTimePacer at its frame rate,
//    whose deadlines never go back, however far into the stream.

#if canImport(ParleyMedia)
import ParleyMedia
#endif

private func checkWAV(_ input: [UInt8]) {
    guard let audio = try? WAVFile.parse(input) else { return }
    guard audio.sampleRate >= 1, audio.channels >= 1, audio.duration.isFinite else {
        fatalError("parsed WAV with \(audio.channels) channels at \(audio.sampleRate) Hz")
    }
    guard let again = try? WAVFile.parse(WAVFile.serialize(audio)), again == audio else {
        fatalError("WAV round trip failed: \(audio.channels) channels at \(audio.sampleRate) Hz, \(audio.samples.count) samples")
    }
}

private func checkY4M(_ input: [UInt8]) {
    guard let (header, frames) = try? Y4MFile.parse(input) else { return }
    guard I420Frame.dimensionRange.contains(header.width), I420Frame.dimensionRange.contains(header.height),
          header.width % 2 == 0, header.height % 2 == 0,
          header.frameRateNumerator > 0, header.frameRateDenominator > 0
    else { fatalError("parsed Y4M header \(header)") }
    for frame in frames where frame.width != header.width || frame.height != header.height
        || frame.planes.count != I420Frame.byteCount(width: header.width, height: header.height) {
        fatalError("frame \(frame.width)x\(frame.height) (\(frame.planes.count) bytes) in \(header)")
    }
    guard let again = try? Y4MFile.parse(Y4MFile.serialize(header: header, frames: frames)),
          again.header == header, again.frames == frames
    else { fatalError("Y4M round trip failed: \(header), \(frames.count) frames") }
    let pacer = RealTimePacer(
        clock: MonotonicClock(), framesPerSecondNumerator: header.frameRateNumerator,
        framesPerSecondDenominator: header.frameRateDenominator)
    var previous: UInt64 = 0
    for frame: UInt64 in [1, 1 << 24, 1 << 40, .max] {
        let offset = pacer.offset(ofFrame: frame)
        if offset < previous { fatalError("pacer offsets go back at frame \(frame) for \(header)") }
        previous = offset
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    checkWAV(input)
    checkY4M(input)
    return 0
}
