#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes played audio to a 48 kHz mono 16-bit WAV file as it comes. The file is
/// written as `PATH.part` and renamed to `PATH` by `finish()` once its header holds the
/// final sizes, so a recording cut short (killed process, full disk) never looks complete.
public final class WAVFileSink: AudioSink {
    public let path: String
    public private(set) var sampleCount = 0
    private var file: UnsafeMutablePointer<FILE>?
    private var partialPath: String { path + ".part" }

    public init(path: String) throws(MediaFileError) {
        self.path = path
        guard let file = fopen(path + ".part", "wb") else { throw .io(path: path + ".part", reason: String(cString: strerror(errno))) }
        self.file = file
        try put(WAVFile.header(sampleRate: VoiceFormat.sampleRate, channels: VoiceFormat.channels, sampleCount: 0))
    }

    deinit { if let file { fclose(file) } }

    /// Appends played samples.
    public func write(_ frame: [Int16]) throws {
        try put(WAVFile.littleEndianBytes(frame))
        sampleCount += frame.count
    }

    /// Writes the final sizes into the header, syncs and renames the file into place.
    public func finish() throws {
        guard let file else { return }
        guard fseek(file, 0, SEEK_SET) == 0 else { throw MediaFileError.io(path: partialPath, reason: String(cString: strerror(errno))) }
        // The sizes saturate past 4 GiB (about 12 hours), as far as 32-bit RIFF sizes go.
        let storable = min(sampleCount, (Int(UInt32.max) - 36) / 2)
        try put(WAVFile.header(sampleRate: VoiceFormat.sampleRate, channels: VoiceFormat.channels, sampleCount: storable))
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        let reason = String(cString: strerror(errno))
        fclose(file)
        self.file = nil
        guard flushed else { throw MediaFileError.io(path: partialPath, reason: reason) }
        guard rename(partialPath, path) == 0 else { throw MediaFileError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    private func put(_ bytes: [UInt8]) throws(MediaFileError) {
        guard let file else { throw .io(path: partialPath, reason: "already finished") }
        guard bytes.withUnsafeBufferPointer({ fwrite($0.baseAddress, 1, $0.count, file) }) == bytes.count else {
            throw .io(path: partialPath, reason: String(cString: strerror(errno)))
        }
    }
}

/// Writes displayed frames to a Y4M file as they come; the file is opened with the size
/// of the first frame; a frame of another size (a call's sender sends a smaller picture on
/// a narrow path) is scaled to it and counted in `framesResized`. Like the WAV sink it is
/// written as `PATH.part` and renamed to `PATH` by `finish()`.
public final class Y4MFileSink: VideoSink {
    public let path: String
    public let frameRate: Int
    private var writer: Y4MWriter?
    public private(set) var framesWritten = 0
    public private(set) var framesResized = 0

    public init(path: String, frameRate: Int = 30) {
        self.path = path
        self.frameRate = frameRate
    }

    /// Opens the file at once with a known size.
    public convenience init(path: String, width: Int, height: Int, frameRate: Int = 30) throws(MediaFileError) {
        self.init(path: path, frameRate: frameRate)
        writer = try Y4MWriter(path: path + ".part", header: Y4MHeader(width: width, height: height, frameRateNumerator: frameRate))
    }

    public func write(_ frame: I420Frame) throws {
        if writer == nil {
            writer = try Y4MWriter(path: path + ".part", header: Y4MHeader(width: frame.width, height: frame.height, frameRateNumerator: frameRate))
        }
        guard let writer else { return }
        if writer.header.width == frame.width, writer.header.height == frame.height {
            try writer.write(frame)
        } else {
            try writer.write(frame.resized(toWidth: writer.header.width, height: writer.header.height))
            framesResized += 1
        }
        framesWritten += 1
    }

    /// Closes the file and renames it into place (nothing is written when no frame came).
    public func finish() throws {
        guard writer != nil else { return }
        writer = nil   // closes the file
        guard rename(path + ".part", path) == 0 else { throw MediaFileError.io(path: path, reason: String(cString: strerror(errno))) }
    }
}
