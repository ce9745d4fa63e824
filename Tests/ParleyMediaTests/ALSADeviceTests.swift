import Foundation
import Testing
@testable import ParleyMedia

@Suite("ALSA capture and playback (file plugin, no sound card needed)")
struct ALSADeviceTests {
    static func raw(_ samples: [Int16]) -> Data {
        samples.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    @Test func capturesFromAFileBackedMicrophone() async throws {
        let path = MediaFileTests.temporaryPath("mic.raw")
        let input = OpusCodecTests.sine(seconds: 1)
        _ = FileManager.default.createFile(atPath: path, contents: Self.raw(input))
        let clock = ManualClock()
        let microphone = try ALSACaptureSource(device: .rawFileMicrophone(path: path), paced: true, clock: clock)
        var captured: [Int16] = []
        for _ in 0 ..< 10 {
            let frame = try #require(try await microphone.nextFrame())
            #expect(frame.samples.count == 960)
            captured += frame.samples
        }
        #expect(captured == Array(input.prefix(9600)))
        #expect(clock.sleeps.count == 10)
        #expect(clock.sleeps[9] - clock.sleeps[0] == 180_000_000)
    }

    @Test func playsIntoAFile() throws {
        let path = MediaFileTests.temporaryPath("speaker.raw")
        let speaker = try ALSAPlaybackSink(device: .named("file:FILE=\(path),FORMAT=raw"))
        let output = OpusCodecTests.sine(seconds: 0.2)
        for start in stride(from: 0, to: output.count, by: 960) { try speaker.write(Array(output[start ..< start + 960])) }
        try speaker.finish()
        #expect(speaker.framesDropped == 0)
        let data = try #require(FileManager.default.contents(atPath: path))
        let played = data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        #expect(played.count >= output.count)
        #expect(Array(played.prefix(output.count)) == output)
    }

    @Test func aMissingDeviceSaysWhatToDo() {
        let error = #expect(throws: AudioDeviceError.self) { try ALSAPlaybackSink(device: .named("hw:17,0")) }
        #expect(error?.description.contains("hw:17,0") == true)
        #expect(error?.description.contains("WAV file") == true)
    }
}
