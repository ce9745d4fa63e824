import Foundation
import Testing
@testable import ParleyMedia

@Suite("Opus codec (libopus)")
struct OpusCodecTests {
    /// `seconds` of a 440 Hz sine at half scale, 48 kHz mono.
    static func sine(seconds: Double, frequency: Double = 440) -> [Int16] {
        (0 ..< Int(seconds * 48000)).map { index in
            Int16(16000 * sin(2 * Double.pi * frequency * Double(index) / 48000))
        }
    }

    /// Pearson correlation of `a` and `b` over their common length.
    static func correlation(_ a: ArraySlice<Int16>, _ b: ArraySlice<Int16>) -> Double {
        let count = min(a.count, b.count)
        let x = a.prefix(count).map(Double.init), y = b.prefix(count).map(Double.init)
        let meanX = x.reduce(0, +) / Double(count), meanY = y.reduce(0, +) / Double(count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for index in 0 ..< count {
            sxy += (x[index] - meanX) * (y[index] - meanY)
            sxx += (x[index] - meanX) * (x[index] - meanX)
            syy += (y[index] - meanY) * (y[index] - meanY)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
    }

    static func frames(_ samples: [Int16]) -> [[Int16]] {
        stride(from: 0, to: samples.count - 959, by: 960).map { Array(samples[$0 ..< $0 + 960]) }
    }

    @Test(arguments: [16_000, 32_000, 64_000])
    func sineSurvivesEncodeAndDecode(bitrate: Int) throws {
        let encoder = try OpusAudioEncoder(settings: OpusEncoderSettings(bitrate: bitrate))
        let decoder = try OpusAudioDecoder()
        let input = Self.sine(seconds: 1)
        var output: [Int16] = []
        var bytes = 0
        for frame in Self.frames(input) {
            let packet = try #require(try encoder.encode(frame))
            bytes += packet.count
            output += try decoder.decode(packet)
        }
        #expect(output.count == input.count)
        // The decoded signal lags by the encoder look-ahead (312 samples = 6.5 ms).
        #expect(encoder.lookahead > 0 && encoder.lookahead < 960)
        let delay = encoder.lookahead
        let aligned = Self.correlation(input[4800 ..< 43200], output[(4800 + delay) ..< (43200 + delay)])
        print("Opus \(bitrate) b/s: look-ahead \(delay) samples, correlation \(aligned), \(bytes * 8) bits in 1 s")
        #expect(aligned >= 0.9)
        // Constrained VBR stays near the target.
        #expect(Double(bytes * 8) < Double(bitrate) * 1.3)
    }

    @Test func concealmentFillsALostFrame() throws {
        let encoder = try OpusAudioEncoder()
        let decoder = try OpusAudioDecoder()
        let frames = Self.frames(Self.sine(seconds: 0.4))
        var packets: [[UInt8]] = []
        for frame in frames { packets.append(try #require(try encoder.encode(frame))) }
        for packet in packets.prefix(10) { _ = try decoder.decode(packet) }
        let concealed = try decoder.concealLoss()
        #expect(concealed.count == 960)
        #expect(concealed.contains { $0 != 0 })
        let short = try decoder.concealLoss(sampleCount: 480)
        #expect(short.count == 480)
        #expect(throws: CodecError.self) { try decoder.concealLoss(sampleCount: 0) }
    }

    @Test func forwardErrorCorrectionRecoversALostFrame() throws {
        let encoder = try OpusAudioEncoder(settings: OpusEncoderSettings(bitrate: 32_000, packetLossPercentage: 30))
        let decoder = try OpusAudioDecoder()
        let input = Self.sine(seconds: 0.6, frequency: 300)
        let frames = Self.frames(input)
        var packets: [[UInt8]] = []
        for frame in frames { packets.append(try #require(try encoder.encode(frame))) }
        var output: [Int16] = []
        for (index, packet) in packets.enumerated() {
            if index == 20 { continue }   // lost
            if index == 21 { output += try decoder.recoverLoss(from: packet) }
            output += try decoder.decode(packet)
        }
        #expect(output.count == input.count)
        let delay = encoder.lookahead
        let recovered = Self.correlation(input[(20 * 960) ..< (21 * 960)], output[(20 * 960 + delay) ..< (21 * 960 + delay)])
        print("Opus FEC: recovered frame correlates \(recovered) with the lost input")
        #expect(recovered > 0.5)
    }

    @Test func dtxSkipsSilence() throws {
        let encoder = try OpusAudioEncoder(settings: OpusEncoderSettings(discontinuousTransmission: true))
        var skipped = 0
        for _ in 0 ..< 50 where try encoder.encode([Int16](repeating: 0, count: 960)) == nil { skipped += 1 }
        #expect(skipped > 30)
    }

    @Test func invalidSettingsAndFramesAreRefused() throws {
        #expect(throws: CodecError.invalidSetting(name: "bitrate", value: 8000, allowed: 16_000 ... 64_000)) {
            try OpusAudioEncoder(settings: OpusEncoderSettings(bitrate: 8000))
        }
        let encoder = try OpusAudioEncoder()
        #expect(throws: CodecError.wrongFrameSize(expected: 960, actual: 100)) { try encoder.encode([Int16](repeating: 0, count: 100)) }
        try encoder.apply(OpusEncoderSettings(bitrate: 24_000, packetLossPercentage: 5))
        #expect(encoder.settings.bitrate == 24_000)
        #expect(throws: CodecError.self) { try OpusAudioDecoder().decode([0xFF, 0xFF, 0xFF]) }
    }
}
