import ParleyMedia
@testable import ParleyNode
import Testing

@Suite("audio_latency: the ALSA buffer of each call device")
struct AudioLatencySettingTests {
    @Test func defaultsTo60Milliseconds() throws {
        #expect(try Configuration(parsing: "").callSettings().audioLatencyMilliseconds == ALSAPCM.defaultLatencyMilliseconds)
        #expect(ALSAPCM.defaultLatencyMilliseconds == 60)
    }

    @Test(arguments: [("10", 10), ("20", 20), ("500", 500)])
    func valuesInRangeAreTaken(text: String, milliseconds: Int) throws {
        #expect(try Configuration(parsing: "audio_latency = \(text)\n").callSettings().audioLatencyMilliseconds == milliseconds)
    }

    @Test(arguments: ["0", "9", "501", "-20", "fast", "20ms"])
    func valuesOutOfRangeAreRefusedWithTheKeyNamed(text: String) throws {
        do {
            _ = try Configuration(parsing: "audio_latency = \(text)\n").callSettings()
            Issue.record("audio_latency = \(text) was taken")
        } catch {
            #expect("\(error)".contains("audio_latency"))
        }
    }
}
