import Foundation
import ParleyMedia
#if canImport(Glibc)
import Glibc
#endif

/// A `parley` (or other) process running in the background with its output in files.
final class BackgroundProcess {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ executable: URL, _ arguments: [String], logs folder: String, name: String, environment: [String: String] = [:]) throws {
        stdoutPath = "\(folder)/\(name).out"
        stderrPath = "\(folder)/\(name).err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try process.run()
    }

    /// `parley ARGS` in the background.
    static func parley(_ arguments: [String], logs folder: String, name: String, environment: [String: String] = [:]) throws -> BackgroundProcess {
        try BackgroundProcess(parleyExecutable, arguments, logs: folder, name: name, environment: environment)
    }

    /// Waits up to `seconds` for the exit; interrupts (SIGINT) and then kills a process that
    /// does not exit. Returns the exit status.
    @discardableResult
    func wait(seconds: Double) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { interrupt(grace: 5) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGINT, then SIGKILL after `grace` seconds.
    func interrupt(grace: Double) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The last JSON line of `--stats` output.
    var finalReport: [String: Any]? {
        guard let line = stdout.split(separator: "\n").last else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// The last complete `--stats` line so far.
    var latestReport: [String: Any]? {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: true)
        guard stdout.hasSuffix("\n"), let line = lines.last else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// The received (or sent) statistics of `kind` in the final report.
    func statistics(_ direction: String, _ kind: String) -> [String: Any] {
        let entries = finalReport?[direction] as? [[String: Any]] ?? []
        return entries.first { $0["kind"] as? String == kind } ?? [:]
    }
}

enum MediaFixtures {
    static let ffmpeg: String? = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A fresh folder under /tmp for one test.
    static func folder(_ name: String) throws -> String {
        let path = "/tmp/parley-stream-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Speech-like audio: voiced harmonics whose pitch glides between 100 and 220 Hz,
    /// shaped into 4 syllables a second with short pauses, at about −10 dBFS.
    static func speech(seconds: Double) -> [Int16] {
        let count = Int(seconds * 48000)
        var phase = 0.0
        return (0 ..< count).map { index in
            let time = Double(index) / 48000
            let pitch = 160 + 60 * sin(2 * .pi * 0.7 * time) + 20 * sin(2 * .pi * 3.1 * time)
            phase += 2 * .pi * pitch / 48000
            var voice = 0.0
            for harmonic in 1 ... 12 {
                // A vowel-like spectrum: a formant near 700 Hz and one near 1.2 kHz.
                let frequency = pitch * Double(harmonic)
                let formant = exp(-pow((frequency - 700) / 300, 2)) + 0.6 * exp(-pow((frequency - 1200) / 400, 2)) + 0.05
                voice += formant * sin(Double(harmonic) * phase)
            }
            let syllable = max(0, sin(2 * .pi * 4 * time))
            let phrase = (time.truncatingRemainder(dividingBy: 2.5) < 2.2) ? 1.0 : 0.0
            return Int16(clamping: Int(9000 * voice * syllable * phrase / 2))
        }
    }

    static func writeSpeech(to path: String, seconds: Double) throws -> [Int16] {
        let samples = speech(seconds: seconds)
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

    /// An even UDP port P with P…P+3 free on 127.0.0.1 (audio and video, RTCP neighbours).
    static func freeUDPPorts() throws -> Int {
        for _ in 0 ..< 100 {
            let candidate = Int.random(in: 30000 ..< 40000) & ~3
            let descriptors = (0 ..< 4).map { bindUDP(port: candidate + $0) }
            descriptors.forEach { if $0 >= 0 { close($0) } }
            if descriptors.allSatisfy({ $0 >= 0 }) { return candidate }
        }
        throw TimedOut(what: "finding free UDP ports", seconds: 0)
    }

    /// A UDP socket bound to 127.0.0.1:`port` (0 = any), or −1.
    static func bindUDP(port: Int) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound != 0 {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    /// Waits until something has bound UDP `port` (read from /proc/net/udp and udp6).
    static func waitUntilBound(port: Int, seconds: Double = 15) throws {
        let suffix = ":" + String(format: "%04X", port)
        try waitUntil(timeout: seconds, "UDP port \(port) bound") {
            ["/proc/net/udp", "/proc/net/udp6"].contains { table in
                ((try? String(contentsOfFile: table, encoding: .utf8)) ?? "").split(separator: "\n").contains { line in
                    line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first?.hasSuffix(suffix) ?? false
                }
            }
        }
    }
}

enum MediaAnalysis {
    /// Pearson correlation of two equally long sample runs.
    static func correlation(_ a: ArraySlice<Int16>, _ b: ArraySlice<Int16>) -> Double {
        let x = a.map(Double.init), y = b.map(Double.init)
        let meanX = x.reduce(0, +) / Double(max(x.count, 1)), meanY = y.reduce(0, +) / Double(max(y.count, 1))
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for index in 0 ..< min(x.count, y.count) {
            let dx = x[index] - meanX, dy = y[index] - meanY
            covariance += dx * dy
            varianceX += dx * dx
            varianceY += dy * dy
        }
        return varianceX > 0 && varianceY > 0 ? covariance / (varianceX * varianceY).squareRoot() : 0
    }

    /// The lag (0..<maxLag) at which `output` lines up with `input` (found on 200 ms of
    /// voiced input near `probe`), and the correlation over `length` samples at that lag.
    static func aligned(input: [Int16], output: [Int16], probe: Int = 24_000, window probeLength: Int = 9600, length: Int,
                        maxLag: Int = 9600) -> (correlation: Double, lag: Int) {
        let window = probe ..< min(probe + probeLength, input.count)
        var best = (score: -Double.infinity, lag: 0)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeBufferPointer { y in
                // Every 4th lag on every 4th sample first, then every lag around the best one:
                // speech has little above 6 kHz, and the search costs a sixteenth.
                func score(_ lag: Int, step: Int) -> Double {
                    var dot = 0.0, energy = 0.0
                    var index = window.lowerBound
                    while index < window.upperBound {
                        let value = Double(y[index + lag])
                        dot += Double(x[index]) * value
                        energy += value * value
                        index += step
                    }
                    return energy > 0 ? dot / energy.squareRoot() : 0
                }
                for lag in stride(from: 0, to: maxLag, by: 4) where window.upperBound + lag <= y.count {
                    let value = score(lag, step: 4)
                    if value > best.score { best = (value, lag) }
                }
                let coarse = best.lag
                best.score = -Double.infinity
                for lag in max(0, coarse - 4) ... coarse + 4 where lag < maxLag && window.upperBound + lag <= y.count {
                    let value = score(lag, step: 1)
                    if value > best.score { best = (value, lag) }
                }
                if best.score == -Double.infinity { best = (0, coarse) }
            }
        }
        let end = min(length, input.count, output.count - best.lag)
        guard end > 0 else { return (0, best.lag) }
        return (correlation(input[0 ..< end], output[best.lag ..< best.lag + end]), best.lag)
    }

    /// The `count` best lags (samples) of `input` in `output` anywhere in 0..<maxLag: the best
    /// matches of the 10 ms loudness envelopes (at least 100 ms apart), each refined to the
    /// sample. More than one, because speech with a regular rhythm matches its envelope at
    /// more than one lag, and a recording that lost its start can favour a wrong one.
    static func farLagCandidates(input: [Int16], output: [Int16], length: Int, maxLag: Int, count: Int) -> [Int] {
        func envelope(_ samples: [Int16]) -> [Int16] {
            stride(from: 0, to: samples.count - 480, by: 480).map { start in
                Int16(clamping: Int(samples[start ..< start + 480].reduce(0.0) { $0 + abs(Double($1)) } / 480))
            }
        }
        let x = envelope(input), y = envelope(output)
        let span = min(x.count, length / 480)
        guard span > 0 else { return [] }
        var scored: [(score: Double, lag: Int)] = []
        for lag in 0 ..< maxLag / 480 where lag + span <= y.count {
            scored.append((correlation(x[0 ..< span], y[lag ..< lag + span]), lag))
        }
        var chosen: [Int] = []
        for candidate in scored.sorted(by: { $0.score > $1.score }) where chosen.count < count {
            if chosen.allSatisfy({ abs($0 - candidate.lag) >= 10 }) { chosen.append(candidate.lag) }
        }
        // Each refined to the sample around it, as `aligned` finds it.
        return chosen.map { block in
            let start = max(0, block * 480 - 960)
            return start + aligned(input: input, output: Array(output[min(start, output.count)...]), length: length, maxLag: 1920).lag
        }
    }

    /// For a path with its own clocks (a sound server), where a concealed or dropped frame
    /// shifts the alignment by 20 ms: the correlation of each chunk of `input` (`chunk`
    /// samples, 500 ms by default) with `output` at the chunk's own best lag within ±40 ms
    /// of the lag of the last chunk that matched (`lag` to begin with). Following the lag
    /// lets a jitter buffer that grew by more than 40 ms in all (a frame at a time, under
    /// load) still be followed; a chunk that does not match leaves it where it was.
    /// `relock` (samples, 0 for none): a chunk that does not match within ±40 ms is looked
    /// for again within ±`relock` — for a receiver that sheds a queue's delay in a pause,
    /// many frames at once.
    static func chunkCorrelations(input: [Int16], output: [Int16], lag: Int, chunk: Int = 24000, relock: Int = 0) -> [Double] {
        var current = lag
        func match(_ start: Int, within reach: Int) -> (correlation: Double, lag: Int)? {
            let from = max(0, current + start - reach)
            guard from + chunk + 2 * reach <= output.count else { return nil }
            let found = aligned(
                input: Array(input[start ..< start + chunk]), output: Array(output[from ..< from + chunk + 2 * reach]),
                probe: 0, window: chunk, length: chunk, maxLag: 2 * reach
            )
            return (found.correlation, from + found.lag - start)
        }
        return stride(from: 0, to: input.count - chunk, by: chunk).map { start in
            guard var found = match(start, within: 1920) else { return 0 }
            if found.correlation < 0.8, relock > 1920, let wider = match(start, within: relock), wider.correlation >= 0.8 { found = wider }
            if found.correlation >= 0.8 { current = found.lag }
            return found.correlation
        }
    }

    /// Whether `output` carries `input` after the codec delay: correlation ≥ 0.8 for every
    /// 250 ms chunk at its own lag (within ±40 ms of the overall one), one chunk in ten
    /// excepted. A frame concealed because a process was starved of CPU shifts what
    /// follows by 20 ms and spoils the chunk it falls in, which one overall lag would count
    /// as total loss; short chunks confine each such shift to one. Prints both.
    static func speechArrived(_ input: [Int16], _ recorded: [Int16], _ label: String, maxLag: Int = 9600, relock: Int = 0) -> Bool {
        // The recording may start a frame or two into the speech (the receiver's playout
        // began on a later frame): 50 ms of silence in front lets the lag be negative.
        let lead = 2400
        // A path that took long to set up (ICE on a loaded machine) leaves the recording
        // silent for longer than `maxLag` before the speech: leave out the silence it has
        // beyond what the input starts with, and say so.
        let late = max(0, leadingSilence(recorded) - leadingSilence(input) - lead)
        if late > 0 { print("\(label): the recording's speech starts \(Double(late) / 48000) s later than the input's; aligned from there") }
        let output = [Int16](repeating: 0, count: lead) + recorded.dropFirst(late)
        let (correlation, padded) = aligned(input: input, output: output, length: input.count, maxLag: maxLag + lead)
        let lag = padded
        // Chunks where the input is silent (the pauses between phrases) have nothing to correlate.
        let voiced = stride(from: 0, to: input.count - 12000, by: 12000).map { start in
            input[start ..< start + 12000].reduce(0.0) { $0 + Double($1) * Double($1) } / 12000 > 100 * 100
        }
        let chunks = zip(chunkCorrelations(input: input, output: output, lag: lag, chunk: 12000, relock: relock), voiced).filter(\.1).map(\.0)
        let good = chunks.filter { $0 >= 0.8 }.count
        let rounded = chunks.map { ($0 * 1000).rounded() / 1000 }
        print("\(label) audio: overall correlation \(correlation) at lag \(lag - lead) samples; per voiced 250 ms \(rounded)")
        return !chunks.isEmpty && good >= chunks.count - max(1, chunks.count / 10)
    }

    /// Samples before the first 10 ms block whose mean absolute amplitude reaches 300
    /// (speech, not a codec's or concealment's noise floor).
    static func leadingSilence(_ samples: [Int16]) -> Int {
        for start in stride(from: 0, to: samples.count - 480, by: 480) {
            let mean = samples[start ..< start + 480].reduce(0) { $0 + abs(Int($1)) } / 480
            if mean >= 300 { return start }
        }
        return samples.count
    }

    /// Every frame of a Y4M file with the pattern counter it shows and its PSNR against
    /// the pattern frame of that number (nil when the counter cannot be read).
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
}
