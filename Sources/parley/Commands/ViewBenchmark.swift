import Foundation
import ParleyMedia
import ParleyTerminalVideo

/// `parley view SOURCE --bench --size COLSxROWS [--frames N]` (hidden, for bench/renderer.py):
/// renders frames as fast as it can with no terminal, and prints one JSON object with the
/// time and bytes per frame. Frames are read (and the file decoded) before timing starts.
enum ViewBenchmark {
    struct Result: Encodable {
        var source: String
        var renderer: String
        var colors: String
        var symbols: String
        var colorTolerance: Int
        var sourceWidth: Int
        var sourceHeight: Int
        var columns: Int
        var rows: Int
        var frames: Int
        /// Per frame, the first (whole picture) excluded: wall time, and the thread's CPU time
        /// (what other load on the machine does not inflate).
        var meanMicroseconds: Double
        var meanCPUMicroseconds: Double
        var medianMicroseconds: Double
        var p99Microseconds: Double
        var meanBytes: Double
        var maxBytes: Int
        /// The first frame: everything drawn.
        var firstFrameBytes: Int
        var firstFrameMicroseconds: Double
        /// The last frame drawn again: what a still picture costs.
        var repeatBytes: Int
    }

    static func run(
        _ specifier: VideoSourceSpecifier, size: (columns: Int, rows: Int), frames count: Int, renderer choice: VideoRendererChoice,
        colors: TerminalColorMode, symbols: BlockSymbols, tolerance: Int
    ) throws {
        // At most `maximumLoaded` distinct frames are held (decoded before timing); more frames
        // go round them again.
        let maximumLoaded = 300
        var loaded: [I420Frame] = []
        switch specifier {
        case let .y4m(path):
            let reader = try Y4MReader(path: path, loops: true)
            while loaded.count < min(count, maximumLoaded), let frame = try reader.nextFrame() { loaded.append(frame) }
        case let .pattern(width, height):
            let generator = TestPatternGenerator(width: width, height: height)
            loaded = (0 ..< min(count, maximumLoaded)).map { generator.frame($0) }
        case .camera:
            throw CommandFailure("--bench reads a pattern or a Y4M file")
        }
        guard let first = loaded.first else { throw CommandFailure("no frames") }
        let frames = (0 ..< count).map { loaded[$0 % loaded.count] }
        let kind = choice == .auto ? VideoRendererKind.blocks : choice.resolved(for: .none, insideTmux: false)
        let renderer = TerminalVideoRenderer(
            region: CellRect(columns: size.columns, rows: size.rows),
            configuration: .init(kind: kind, blocks: .init(symbols: symbols, colors: colors, synchronizedOutput: true, colorTolerance: tolerance),
                                 cellPixelSize: PixelSize(width: 8, height: 16)))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var nanoseconds: [UInt64] = []
        var cpuNanoseconds: [UInt64] = []
        var bytes: [Int] = []
        for frame in frames {
            buffer.removeAll(keepingCapacity: true)
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = threadCPUNanoseconds()
            renderer.render(frame, appendingTo: &buffer)
            cpuNanoseconds.append(threadCPUNanoseconds() &- cpuStart)
            nanoseconds.append(DispatchTime.now().uptimeNanoseconds - start)
            bytes.append(buffer.count)
        }
        let cpuTimed = cpuNanoseconds.count > 1 ? Array(cpuNanoseconds.dropFirst()) : cpuNanoseconds
        buffer.removeAll(keepingCapacity: true)
        renderer.render(frames[frames.count - 1], appendingTo: &buffer)
        let repeatBytes = buffer.count
        let timed = nanoseconds.count > 1 ? Array(nanoseconds.dropFirst()) : nanoseconds
        let sized = bytes.count > 1 ? Array(bytes.dropFirst()) : bytes
        let sorted = timed.sorted()
        let result = Result(
            source: "\(specifier)", renderer: kind.rawValue, colors: colors.rawValue, symbols: symbols.rawValue, colorTolerance: tolerance,
            sourceWidth: first.width, sourceHeight: first.height, columns: size.columns, rows: size.rows, frames: frames.count,
            meanMicroseconds: Double(timed.reduce(0, +)) / Double(timed.count) / 1000,
            meanCPUMicroseconds: Double(cpuTimed.reduce(0, +)) / Double(cpuTimed.count) / 1000,
            medianMicroseconds: Double(sorted[sorted.count / 2]) / 1000,
            p99Microseconds: Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1000,
            meanBytes: Double(sized.reduce(0, +)) / Double(sized.count), maxBytes: sized.max() ?? 0,
            firstFrameBytes: bytes[0], firstFrameMicroseconds: Double(nanoseconds[0]) / 1000, repeatBytes: repeatBytes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
    }
}

/// CPU time of the calling thread.
private func threadCPUNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
