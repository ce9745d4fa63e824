import Foundation

/// The stream header of a YUV4MPEG2 (Y4M) file.
public struct Y4MHeader: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Frames per second as a fraction.
    public var frameRateNumerator: Int
    public var frameRateDenominator: Int

    public init(width: Int, height: Int, frameRateNumerator: Int = 30, frameRateDenominator: Int = 1) {
        self.width = width
        self.height = height
        self.frameRateNumerator = frameRateNumerator
        self.frameRateDenominator = frameRateDenominator
    }

    /// The header line, newline included.
    public var line: String {
        "YUV4MPEG2 W\(width) H\(height) F\(frameRateNumerator):\(frameRateDenominator) Ip A1:1 C420jpeg\n"
    }
}

extension Y4MHeader {
    /// The largest frame-rate numerator or denominator read (30000:1001 and 240000:1001
    /// fit); larger ones come from broken or hostile files.
    public static let maximumFrameRateTerm = 1_000_000

    /// Parses a stream header line (without its newline); `path` only names the file in errors.
    public static func parse(line: String, path: String) throws(MediaFileError) -> Y4MHeader {
        var width = 0, height = 0, numerator = 30, denominator = 1
        var fields = line.split(separator: " ")
        guard fields.first == "YUV4MPEG2" else { throw .malformed(path: path, reason: "no YUV4MPEG2 signature") }
        fields.removeFirst()
        for field in fields {
            let value = field.dropFirst()
            switch field.first {
            case "W": width = Int(value) ?? 0
            case "H": height = Int(value) ?? 0
            case "F":
                let parts = value.split(separator: ":")
                // An unreadable or unknown rate (F0:0) leaves the default.
                guard parts.count == 2, let n = Int(parts[0]), let d = Int(parts[1]), n > 0, d > 0 else { break }
                guard n <= maximumFrameRateTerm, d <= maximumFrameRateTerm else {
                    throw .unsupported(
                        path: path, what: "frame rate F\(value) (numerator and denominator up to \(maximumFrameRateTerm))",
                        conversion: "ffmpeg -i in.y4m -r 30 -pix_fmt yuv420p out.y4m")
                }
                (numerator, denominator) = (n, d)
            case "C":
                guard value.hasPrefix("420") else {
                    throw .unsupported(path: path, what: "colour space C\(value) (only 4:2:0)", conversion: Y4MFile.conversion)
                }
            case "I":
                guard value == "p" || value == "?" else {
                    throw .unsupported(path: path, what: "interlaced video (I\(value))", conversion: Y4MFile.conversion)
                }
            default: break
            }
        }
        guard I420Frame.dimensionRange.contains(width), I420Frame.dimensionRange.contains(height), width % 2 == 0, height % 2 == 0 else {
            throw .unsupported(path: path, what: "size \(width)x\(height) (even sizes 16...4096)", conversion: "ffmpeg -i in.y4m -vf scale=640:480 -pix_fmt yuv420p out.y4m")
        }
        return Y4MHeader(width: width, height: height, frameRateNumerator: numerator, frameRateDenominator: denominator)
    }

    /// Bytes of one frame's planes.
    var frameSize: Int { I420Frame.byteCount(width: width, height: height) }
}

/// Y4M files held in memory, and the rules `Y4MReader` shares with them.
public enum Y4MFile {
    static let conversion = "ffmpeg -i in.y4m -pix_fmt yuv420p out.y4m"
    /// The longest header or frame line read.
    static let maximumLineLength = 1024

    /// Parses the bytes of a whole Y4M file: its header and every complete frame, as
    /// `Y4MReader` would read them (a truncated last frame ends the file); `path` only
    /// names it in errors.
    public static func parse(_ bytes: [UInt8], path: String = "Y4M data") throws(MediaFileError) -> (header: Y4MHeader, frames: [I420Frame]) {
        var offset = 0
        /// The next line without its newline; nil at the end of the bytes.
        func nextLine() throws(MediaFileError) -> String? {
            guard offset < bytes.count else { return nil }
            let end = bytes[offset...].prefix(maximumLineLength + 1).firstIndex(of: 0x0A)
            guard let end else { throw lineError(length: bytes.count - offset, path: path) }
            defer { offset = end + 1 }
            return String(decoding: bytes[offset ..< end], as: UTF8.self)
        }
        let header = try Y4MHeader.parse(line: nextLine() ?? "", path: path)
        var frames: [I420Frame] = []
        while let line = try nextLine() {
            try checkFrameLine(line, path: path)
            guard bytes.count - offset >= header.frameSize,
                  let frame = I420Frame(width: header.width, height: header.height, planes: Array(bytes[offset ..< offset + header.frameSize]))
            else { break }   // a truncated last frame ends the file
            frames.append(frame)
            offset += header.frameSize
        }
        return (header, frames)
    }

    /// The bytes of a Y4M file holding `frames` (each of the header's size).
    public static func serialize(header: Y4MHeader, frames: [I420Frame]) -> [UInt8] {
        Array(header.line.utf8) + frames.flatMap { Array("FRAME\n".utf8) + $0.planes }
    }

    static func checkFrameLine(_ line: String, path: String) throws(MediaFileError) {
        guard line.hasPrefix("FRAME") else { throw .malformed(path: path, reason: "expected FRAME, found '\(line.prefix(20))'") }
    }

    /// Why a line of `length` bytes that has no newline (yet) cannot be read.
    static func lineError(length: Int, path: String) -> MediaFileError {
        length > maximumLineLength
            ? .malformed(path: path, reason: "header line longer than \(maximumLineLength) bytes")
            : .malformed(path: path, reason: "file ends inside a header line")
    }
}

/// Reads I420 frames from a Y4M file, one at a time, optionally starting over at the end.
public final class Y4MReader {
    public let path: String
    public let header: Y4MHeader
    /// Start over at the first frame after the last one.
    public let loops: Bool
    private let file: FileHandle
    private let firstFrameOffset: UInt64
    private let frameSize: Int

    public init(path: String, loops: Bool = false) throws(MediaFileError) {
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw .io(path: path, reason: "cannot be opened (missing or no permission)")
        }
        self.path = path
        self.file = file
        self.loops = loops
        do {
            header = try Y4MHeader.parse(line: Self.readLine(file, path: path) ?? "", path: path)
        } catch {
            try? file.close()
            throw error
        }
        frameSize = header.frameSize
        firstFrameOffset = (try? file.offset()) ?? 0
    }

    deinit { try? file.close() }

    /// The next frame; nil at the end of a non-looping file.
    public func nextFrame() throws(MediaFileError) -> I420Frame? {
        if let frame = try readFrame() { return frame }
        guard loops else { return nil }
        do { try file.seek(toOffset: firstFrameOffset) } catch { throw .io(path: path, reason: "cannot seek: \(error)") }
        guard let frame = try readFrame() else { throw .malformed(path: path, reason: "no complete frame to loop over") }
        return frame
    }

    private func readFrame() throws(MediaFileError) -> I420Frame? {
        guard let line = try Self.readLine(file, path: path) else { return nil }
        try Y4MFile.checkFrameLine(line, path: path)
        let data: Data
        do { data = try file.read(upToCount: frameSize) ?? Data() } catch { throw .io(path: path, reason: "read failed: \(error)") }
        guard data.count == frameSize else { return nil }   // a truncated last frame ends the file
        return I420Frame(width: header.width, height: header.height, planes: [UInt8](data))
    }

    /// The next line without its newline; nil at the end of the file.
    private static func readLine(_ file: FileHandle, path: String) throws(MediaFileError) -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk: Data?
            do { chunk = try file.read(upToCount: 1) } catch { throw .io(path: path, reason: "read failed: \(error)") }
            guard let byte = chunk?.first else {
                if bytes.isEmpty { return nil }
                throw Y4MFile.lineError(length: bytes.count, path: path)
            }
            if byte == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
            guard bytes.count <= Y4MFile.maximumLineLength else { throw Y4MFile.lineError(length: bytes.count, path: path) }
        }
    }
}

/// Writes I420 frames to a Y4M file.
public final class Y4MWriter {
    public let path: String
    public let header: Y4MHeader
    private let file: FileHandle

    public init(path: String, header: Y4MHeader) throws(MediaFileError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(header.line.utf8)),
              let file = FileHandle(forWritingAtPath: path)
        else { throw .io(path: path, reason: "cannot be created (check the directory exists and is writable)") }
        self.path = path
        self.header = header
        self.file = file
        _ = try? file.seekToEnd()
    }

    deinit { try? file.close() }

    /// Appends one frame (it must have the header's size).
    public func write(_ frame: I420Frame) throws(MediaFileError) {
        guard frame.width == header.width, frame.height == header.height else {
            throw .malformed(path: path, reason: "frame \(frame.width)x\(frame.height) in a \(header.width)x\(header.height) stream")
        }
        do {
            try file.write(contentsOf: Data("FRAME\n".utf8) + Data(frame.planes))
        } catch {
            throw .io(path: path, reason: "write failed: \(error)")
        }
    }
}
