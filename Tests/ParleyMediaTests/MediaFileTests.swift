import Foundation
import Testing
@testable import ParleyMedia

@Suite("WAV and Y4M files")
struct MediaFileTests {
    static func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-media-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test func wavRoundTrips() throws {
        let audio = PCMAudio(sampleRate: 48000, channels: 1, samples: (0 ..< 4800).map { Int16(truncatingIfNeeded: $0 &* 97) } + [.min, .max])
        let path = Self.temporaryPath("tone.wav")
        try WAVFile.write(audio, to: path)
        #expect(try WAVFile.read(path: path) == audio)
        let bytes = WAVFile.serialize(audio)
        #expect(bytes.count == 44 + audio.samples.count * 2)
        #expect(Array(bytes[0 ..< 4]) == Array("RIFF".utf8))
    }

    @Test func wavSkipsUnknownChunksAndRefusesOtherFormats() throws {
        var bytes = WAVFile.serialize(PCMAudio(sampleRate: 8000, channels: 2, samples: [1, -1, 2, -2]))
        // Insert a LIST chunk (odd size, padded) between fmt and data.
        bytes.insert(contentsOf: Array("LIST".utf8) + [3, 0, 0, 0, 65, 66, 67, 0], at: 36)
        #expect(try WAVFile.parse(bytes) == PCMAudio(sampleRate: 8000, channels: 2, samples: [1, -1, 2, -2]))
        var float = WAVFile.serialize(PCMAudio(sampleRate: 8000, channels: 1, samples: [0]))
        float[20] = 3   // IEEE float
        let error = #expect(throws: MediaFileError.self) { try WAVFile.parse(float) }
        guard case let .unsupported(_, _, conversion)? = error else {
            Issue.record("expected .unsupported, got \(String(describing: error))")
            return
        }
        #expect(conversion.contains("pcm_s16le"))
        #expect(throws: MediaFileError.self) { try WAVFile.parse(Array("RIFX".utf8)) }
        #expect(throws: MediaFileError.self) { try WAVFile.read(path: "/nonexistent/parley.wav") }
    }

    @Test func y4mRoundTripsAndLoops() throws {
        let pattern = TestPatternGenerator(width: 64, height: 48)
        let path = Self.temporaryPath("clip.y4m")
        let header = Y4MHeader(width: 64, height: 48, frameRateNumerator: 25, frameRateDenominator: 1)
        do {
            let writer = try Y4MWriter(path: path, header: header)
            for index in 0 ..< 3 { try writer.write(pattern.frame(index)) }
            #expect(throws: MediaFileError.self) { try writer.write(I420Frame(width: 32, height: 32)) }
        }
        let once = try Y4MReader(path: path)
        #expect(once.header == header)
        var frames: [I420Frame] = []
        while let frame = try once.nextFrame() { frames.append(frame) }
        #expect(frames == (0 ..< 3).map(pattern.frame))
        let looping = try Y4MReader(path: path, loops: true)
        var numbers: [Int?] = []
        for _ in 0 ..< 7 { numbers.append(try looping.nextFrame().flatMap(pattern.readFrameNumber)) }
        #expect(numbers == [0, 1, 2, 0, 1, 2, 0])
    }

    @Test func y4mRefusesWhatItCannotRead() throws {
        let path = Self.temporaryPath("bad.y4m")
        _ = FileManager.default.createFile(atPath: path, contents: Data("YUV4MPEG2 W64 H48 F30:1 C444\n".utf8))
        #expect(throws: MediaFileError.self) { try Y4MReader(path: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data("NOTY4M\n".utf8))
        #expect(throws: MediaFileError.self) { try Y4MReader(path: path) }
        #expect(throws: MediaFileError.self) { try Y4MReader(path: "/nonexistent/clip.y4m") }
    }

    /// `Y4MFile.parse` (bytes, used by the fuzzer) reads what `Y4MReader` reads from a file.
    @Test func y4mBytesParseLikeTheReader() throws {
        let pattern = TestPatternGenerator(width: 64, height: 48)
        let header = Y4MHeader(width: 64, height: 48, frameRateNumerator: 30000, frameRateDenominator: 1001)
        let whole = Y4MFile.serialize(header: header, frames: (0 ..< 3).map(pattern.frame))
        let path = Self.temporaryPath("bytes.y4m")
        func fromFile(_ bytes: [UInt8]) -> Result<(Y4MHeader, [I420Frame]), MediaFileError> {
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do throws(MediaFileError) {
                let reader = try Y4MReader(path: path)
                var frames: [I420Frame] = []
                while let frame = try reader.nextFrame() { frames.append(frame) }
                return .success((reader.header, frames))
            } catch {
                return .failure(error)
            }
        }
        let cases: [(String, [UInt8])] = [
            ("whole", whole),
            ("truncated last frame", Array(whole.dropLast(10))),
            ("header only", Array(header.line.utf8)),
            ("empty", []),
            ("header without newline", Array("YUV4MPEG2 W64 H48".utf8)),
            ("header line too long", Array(("YUV4MPEG2 W64 H48 X" + String(repeating: "x", count: 1100) + "\n").utf8)),
            ("bad frame line", Array(header.line.utf8) + Array("FRAMX\n".utf8) + [UInt8](repeating: 0, count: 768)),
            ("frame line without newline", Array(header.line.utf8) + Array("FRAME".utf8)),
            ("4:4:4", Array("YUV4MPEG2 W64 H48 C444\n".utf8)),
        ]
        for (name, bytes) in cases {
            let parsed: Result<(Y4MHeader, [I420Frame]), MediaFileError>
            do throws(MediaFileError) {
                let (header, frames) = try Y4MFile.parse(bytes, path: path)
                parsed = .success((header, frames))
            } catch {
                parsed = .failure(error)
            }
            switch (parsed, fromFile(bytes)) {
            case let (.success(fromBytes), .success(read)):
                #expect(fromBytes.0 == read.0 && fromBytes.1 == read.1, "\(name)")
            case let (.failure(fromBytes), .failure(read)):
                #expect(fromBytes == read, "\(name)")
            case let (fromBytes, read):
                Issue.record("\(name): bytes \(fromBytes), file \(read)")
            }
        }
        #expect(try Y4MFile.parse(whole).frames == (0 ..< 3).map(pattern.frame))
    }

    /// Found by MediaFileFuzz: a Y4M header with a denominator of 44444444449 made the
    /// RealTimePacer of Y4MFileSource trap (1e9 × denominator overflows 64 bits).
    @Test func y4mRefusesFrameRatesItCannotPace() throws {
        let error = #expect(throws: MediaFileError.self) {
            try Y4MFile.parse(Array("YUV4MPEG2 W16 H16 F24:44444444449 C420jpeg\n".utf8))
        }
        guard case let .unsupported(_, what, conversion)? = error else {
            Issue.record("expected .unsupported, got \(String(describing: error))")
            return
        }
        #expect(what.contains("F24:44444444449"))
        #expect(conversion.contains("-r 30"))
        #expect(throws: MediaFileError.self) { try Y4MHeader.parse(line: "YUV4MPEG2 W16 H16 F1000001:1", path: "clip.y4m") }
        let path = Self.temporaryPath("rate.y4m")
        _ = FileManager.default.createFile(atPath: path, contents: Data("YUV4MPEG2 W16 H16 F30:99999999999\n".utf8))
        #expect(throws: MediaFileError.self) { try Y4MFileSource(path: path) }
        // Real rates still read; an unknown one (F0:0) still means 30 fps.
        let ntsc = try Y4MHeader.parse(line: "YUV4MPEG2 W16 H16 F240000:1001", path: "clip.y4m")
        #expect(ntsc.frameRateNumerator == 240000 && ntsc.frameRateDenominator == 1001)
        #expect(try Y4MHeader.parse(line: "YUV4MPEG2 W16 H16 F0:0", path: "clip.y4m").frameRateNumerator == 30)
    }
}
