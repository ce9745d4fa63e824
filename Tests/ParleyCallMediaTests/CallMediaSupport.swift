import Foundation
import ParleyMedia
import ParleyStream
import Synchronization

/// Fixtures and analysis for the call media tests (the parts of
/// ParleyEndToEndTests/MediaStreamSupport.swift these need, in-process).
enum CallFixtures {
    /// A fresh folder under /tmp for one test.
    static func folder(_ name: String) throws -> String {
        let path = "/tmp/parley-call-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Speech-like audio: voiced harmonics whose pitch glides around `pitch` Hz, shaped
    /// into `syllablesPerSecond` syllables with a pause every 2.5 s, at about −10 dBFS.
    static func speech(seconds: Double, pitch: Double = 160, syllablesPerSecond: Double = 4) -> [Int16] {
        let count = Int(seconds * 48000)
        var phase = 0.0
        return (0 ..< count).map { index in
            let time = Double(index) / 48000
            let current = pitch + 60 * sin(2 * .pi * 0.7 * time) + 20 * sin(2 * .pi * 3.1 * time)
            phase += 2 * .pi * current / 48000
            var voice = 0.0
            for harmonic in 1 ... 12 {
                let frequency = current * Double(harmonic)
                let formant = exp(-pow((frequency - 700) / 300, 2)) + 0.6 * exp(-pow((frequency - 1200) / 400, 2)) + 0.05
                voice += formant * sin(Double(harmonic) * phase)
            }
            let syllable = max(0, sin(2 * .pi * syllablesPerSecond * time))
            let phrase = (time.truncatingRemainder(dividingBy: 2.5) < 2.2) ? 1.0 : 0.0
            return Int16(clamping: Int(9000 * voice * syllable * phrase / 2))
        }
    }

    static func writeSpeech(to path: String, seconds: Double, pitch: Double, syllablesPerSecond: Double) throws -> [Int16] {
        let samples = speech(seconds: seconds, pitch: pitch, syllablesPerSecond: syllablesPerSecond)
        try WAVFile.write(PCMAudio(sampleRate: 48000, channels: 1, samples: samples), to: path)
        return samples
    }

    /// A Y4M clip of the test pattern (frame counter burnt in) at 30 fps.
    static func writePatternClip(to path: String, width: Int, height: Int, frames: Int) throws {
        let pattern = TestPatternGenerator(width: width, height: height)
        let sink = try Y4MFileSink(path: path, width: width, height: height, frameRate: 30)
        for index in 0 ..< frames { try sink.write(pattern.frame(index)) }
        try sink.finish()
    }

    /// A two-way call over `link`, not started: each side talks (its own speech, looped from
    /// a WAV in `folder`) and sends the moving test pattern at `width`×`height`, 30 fps;
    /// received sound goes nowhere, received pictures are counted.
    static func talkingPair(folder: String, link: ImpairedLink, width: Int, height: Int) throws -> (a: CallMediaSession, b: CallMediaSession) {
        _ = try writeSpeech(to: "\(folder)/a.wav", seconds: 8, pitch: 160, syllablesPerSecond: 4)
        _ = try writeSpeech(to: "\(folder)/b.wav", seconds: 8, pitch: 110, syllablesPerSecond: 3)
        let (planA, planB) = plans()
        let (endA, endB) = link.ends
        let a = try CallMediaSession(
            plan: planA, audioSource: try WAVFileSource(path: "\(folder)/a.wav", loops: true), audioSink: nil,
            videoSource: TestPatternSource(width: width, height: height, frameRate: 30), videoSink: CountingVideoSink(),
            transport: endA, voiceProcessing: false, onDeviceError: { _ in })
        let b = try CallMediaSession(
            plan: planB, audioSource: try WAVFileSource(path: "\(folder)/b.wav", loops: true), audioSink: nil,
            videoSource: TestPatternSource(width: width, height: height, frameRate: 30), videoSink: CountingVideoSink(),
            transport: endB, voiceProcessing: false, onDeviceError: { _ in })
        link.connect(a, b)
        return (a, b)
    }

    /// Two plans for one call (A's and B's) with fresh keys and random SSRCs.
    static func plans(audio: CallMediaPlan.Direction? = .sendAndReceive, video: CallMediaPlan.Direction? = .sendAndReceive) -> (CallMediaPlan, CallMediaPlan) {
        let plan = CallMediaPlan(
            audio: audio, video: video,
            localAudioSSRC: .random(in: 1 ... .max), localVideoSSRC: .random(in: 1 ... .max),
            remoteAudioSSRC: .random(in: 1 ... .max), remoteVideoSSRC: .random(in: 1 ... .max),
            sendKey: .random(), receiveKey: .random(), videoBitrate: 600_000)
        return (plan, plan.mirrored)
    }
}

/// Device errors a session reported.
final class DeviceErrors: Sendable {
    private let errors = Mutex<[(CallMediaKind, String)]>([])
    var all: [(CallMediaKind, String)] { errors.withLock { $0 } }
    var handler: @Sendable (CallMediaDeviceError) -> Void {
        { error in self.errors.withLock { $0.append((error.kind, error.message)) } }
    }
}

/// A transport that hands datagrams straight to the peer session (no socket).
final class DirectTransport: MediaTransport {
    private let peer = Mutex<CallMediaSession?>(nil)
    func connect(to session: CallMediaSession) { peer.withLock { $0 = session } }
    func disconnect() { peer.withLock { $0 = nil } }
    func send(_ datagram: [UInt8]) { peer.withLock { $0 }?.receive(datagram) }
}

/// An audio source that works for `frames` frames (paced with `Task.sleep`, so the
/// session reads it through the async bridge), then fails like an unplugged microphone.
final class FailingMicrophone: AudioSource {
    struct Unplugged: Error, CustomStringConvertible {
        var description: String { "device unplugged" }
    }

    private var remaining: Int
    private let speech = CallFixtures.speech(seconds: 1)
    private var position = 0

    init(frames: Int) {
        remaining = frames
    }

    func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)? {
        guard remaining > 0 else { throw Unplugged() }
        remaining -= 1
        try await Task.sleep(for: .milliseconds(20))
        let start = position % (speech.count - 960)
        position += 960
        return (Array(speech[start ..< start + 960]), MonotonicClock().nowNanoseconds())
    }
}

/// A video sink that counts frames.
final class CountingVideoSink: VideoSink {
    private let count = Mutex(0)
    var frames: Int { count.withLock { $0 } }
    func write(_ frame: I420Frame) throws { count.withLock { $0 += 1 } }
    func finish() throws {}
}

enum CallAnalysis {
    /// Pearson correlation of `count` samples of `x` from `a` and `y` from `b`, every
    /// `step`th sample (raw buffers: the tests run in debug builds).
    static func correlation(_ x: UnsafeBufferPointer<Int16>, _ a: Int, _ y: UnsafeBufferPointer<Int16>, _ b: Int, count: Int, step: Int = 1) -> Double {
        guard count > 0, a >= 0, b >= 0, a + count <= x.count, b + count <= y.count else { return 0 }
        var sumX = 0.0, sumY = 0.0, sumXX = 0.0, sumYY = 0.0, sumXY = 0.0
        var n = 0.0
        for index in stride(from: 0, to: count, by: step) {
            let u = Double(x[a + index]), v = Double(y[b + index])
            sumX += u
            sumY += v
            sumXX += u * u
            sumYY += v * v
            sumXY += u * v
            n += 1
        }
        let covariance = sumXY - sumX * sumY / n
        let varianceX = sumXX - sumX * sumX / n, varianceY = sumYY - sumY * sumY / n
        return varianceX > 0 && varianceY > 0 ? covariance / (varianceX * varianceY).squareRoot() : 0
    }

    /// The same over the part of the `count` samples both buffers have: `b` may be negative
    /// or run past the end of `y` (the receiver's recording began after the sender's speech
    /// did, or ended before it), as long as at least half of them overlap.
    static func overlappingCorrelation(_ x: UnsafeBufferPointer<Int16>, _ a: Int, _ y: UnsafeBufferPointer<Int16>, _ b: Int, count: Int) -> Double {
        let skip = max(0, -b)
        let length = min(count - skip, y.count - (b + skip), x.count - (a + skip))
        guard length >= count / 2 else { return 0 }
        return correlation(x, a + skip, y, b + skip, count: length)
    }

    static func correlation(_ a: [Int16], _ b: [Int16]) -> Double {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in correlation(x, 0, y, 0, count: min(a.count, b.count)) } }
    }

    /// The lag (−2400..<maxLag samples) at which `output` carries `input`: a coarse search
    /// on 10 ms energy envelopes over the first 3 s, then a fine one on the loudest 100 ms
    /// of the input's first two seconds, within ±50 ms of the coarse lag.
    ///
    /// The fine window is that wide because the probe's own lag may differ from the one
    /// the envelopes found by whole 20 ms frames: a frame concealed before the probe (the
    /// jitter buffer growing) moves what follows, and the envelopes go with the majority of
    /// the 3 s. A window of ±15 ms left the right lag outside and returned its edge — a lag
    /// off the 20 ms grid by a few ms, at which no chunk correlates (the figures are those
    /// of the speech with itself, the same in every such run). The lag may be negative: the
    /// sender's speech can start (by less than a frame) before the receiver's recording.
    static func lag(input: [Int16], output: [Int16], maxLag: Int) -> Int {
        func envelope(_ samples: [Int16]) -> [Int16] {
            stride(from: 0, to: max(0, samples.count - 480), by: 480).map { start in
                Int16(clamping: Int(samples[start ..< start + 480].reduce(0.0) { $0 + abs(Double($1)) } / 480))
            }
        }
        let x = envelope(input), y = envelope(output)
        let span = min(x.count, 300)
        var coarse = (score: -Double.infinity, lag: 0)
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                for lag in 0 ..< maxLag / 480 where lag + span <= y.count {
                    let score = correlation(x, 0, y, lag, count: span)
                    if score > coarse.score { coarse = (score, lag) }
                }
            }
        }
        let loudest = (0 ..< min(x.count - 10, 190)).max { x[$0 ..< $0 + 10].reduce(0, { $0 + Int($1) }) < x[$1 ..< $1 + 10].reduce(0, { $0 + Int($1) }) } ?? 0
        let probe = loudest * 480
        let around = coarse.lag * 480
        let lags = max(-probe, around - 2400) ... min(maxLag - 1, around + 2400)
        var fine = (score: -Double.infinity, lag: around)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeBufferPointer { y in
                // Every 4th lag on every 4th sample (speech has little above 6 kHz), then
                // every lag around the best.
                for lag in stride(from: lags.lowerBound, through: lags.upperBound, by: 4) {
                    let score = correlation(x, probe, y, probe + lag, count: 4800, step: 4)
                    if score > fine.score { fine = (score, lag) }
                }
                let best = fine.lag
                fine.score = -Double.infinity
                for lag in max(lags.lowerBound, best - 4) ... min(lags.upperBound, best + 4) {
                    let score = correlation(x, probe, y, probe + lag, count: 4800)
                    if score > fine.score { fine = (score, lag) }
                }
            }
        }
        return fine.lag
    }

    /// Correlation of each voiced 250 ms chunk of `input` with `output` at the chunk's own
    /// lag: the overall one when it reaches 0.8, else the best within ±1 ms of a shift by
    /// up to two 20 ms frames (a concealed or dropped frame, the jitter buffer growing).
    /// Chunks where the input is silent (speech pauses) are left out. A shift that puts
    /// the chunk's start before the recording's correlates what overlaps. The lag follows
    /// the chunks: each is searched around the lag of the last one that matched, so a
    /// buffer that grew by more than two frames in all is still followed.
    static func chunkCorrelations(input: [Int16], output: [Int16], lag overall: Int) -> [Double] {
        let chunk = 12_000
        var lag = overall
        return input.withUnsafeBufferPointer { x in
            output.withUnsafeBufferPointer { y in
                stride(from: 0, to: input.count - chunk, by: chunk).compactMap { start -> Double? in
                    let energy = x[start ..< start + chunk].reduce(0.0) { $0 + Double($1) * Double($1) } / Double(chunk)
                    guard energy.squareRoot() > 300 else { return nil }
                    let direct = overlappingCorrelation(x, start, y, start + lag, count: chunk)
                    if direct >= 0.8 { return direct }
                    // A concealed or dropped frame (or the jitter buffer growing) moves what
                    // follows by whole 20 ms frames: the best of those shifts, ±1 ms.
                    var best = (score: direct, shift: lag)
                    for frames in -2 ... 2 {
                        for fine in stride(from: -48, through: 48, by: 4) {
                            let shift = lag + frames * 960 + fine
                            let score = overlappingCorrelation(x, start, y, start + shift, count: chunk)
                            if score > best.score { best = (score, shift) }
                        }
                    }
                    let around = best.shift
                    for shift in around - 3 ... around + 3 {
                        let score = overlappingCorrelation(x, start, y, start + shift, count: chunk)
                        if score > best.score { best = (score, shift) }
                    }
                    if best.score >= 0.8 { lag = best.shift }
                    return best.score
                }
            }
        }
    }

    /// Whether `output` carries `input`: every voiced 250 ms chunk correlates ≥ 0.8, one in
    /// ten excepted. Prints the figures.
    static func speechArrived(_ input: [Int16], _ output: [Int16], _ label: String) -> (passed: Bool, lag: Int, chunks: [Double]) {
        let lag = lag(input: input, output: output, maxLag: 48_000)
        let chunks = chunkCorrelations(input: input, output: output, lag: lag)
        let good = chunks.filter { $0 >= 0.8 }.count
        let rounded = chunks.map { ($0 * 1000).rounded() / 1000 }
        print("\(label) audio: lag \(lag) samples; \(good)/\(chunks.count) voiced 250 ms chunks ≥ 0.8; \(rounded)")
        return (!chunks.isEmpty && good >= chunks.count - max(1, chunks.count / 10), lag, chunks)
    }

    /// Every frame of a Y4M file with the pattern counter it shows and its PSNR against the
    /// pattern frame of that number (nil when the counter cannot be read).
    static func patternFrames(in path: String) throws -> [(number: Int?, psnr: Double)] {
        let reader = try Y4MReader(path: path)
        let pattern = TestPatternGenerator(width: reader.header.width, height: reader.header.height)
        var result: [(Int?, Double)] = []
        while let frame = try reader.nextFrame() {
            let number = pattern.readFrameNumber(from: frame)
            result.append((number, number.map { frame.psnr(comparedTo: pattern.frame($0)) } ?? 0))
        }
        return result
    }

    /// The largest absolute sample in `samples[from..<to]` (seconds of the recording).
    static func peak(_ samples: [Int16], from: Double, to: Double) -> Int {
        let start = max(0, Int(from * 48000)), end = min(samples.count, Int(to * 48000))
        guard start < end else { return 0 }
        return samples[start ..< end].reduce(0) { max($0, abs(Int($1))) }
    }
}
