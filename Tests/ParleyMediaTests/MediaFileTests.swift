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
}
