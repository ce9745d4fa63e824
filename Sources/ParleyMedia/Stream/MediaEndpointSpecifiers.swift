/// Where a stream's audio comes from, as given on the command line:
/// `alsa:DEVICE` (a microphone; `alsa` alone is `alsa:default`) or `wav:PATH`.
public enum AudioSourceSpecifier: Equatable, Sendable {
    case alsa(device: String)
    case wav(path: String, loops: Bool)

    public init(parsing text: String) throws(MediaSpecifierError) {
        let (scheme, argument) = splitSpecifier(text)
        switch scheme {
        case "alsa": self = .alsa(device: argument.isEmpty ? "default" : argument)
        case "wav" where !argument.isEmpty: self = .wav(path: argument, loops: false)
        case "wav-loop" where !argument.isEmpty: self = .wav(path: argument, loops: true)
        default: throw .unknown(kind: "an audio source", text: text, expected: "alsa:DEVICE, wav:PATH or wav-loop:PATH")
        }
    }

    /// Opens the source (paced in real time); an ALSA device with `latencyMilliseconds` of buffer.
    public func open(latencyMilliseconds: Int = ALSAPCM.defaultLatencyMilliseconds) throws -> any AudioSource {
        switch self {
        case let .alsa(device): try ALSACaptureSource(device: .named(device), latencyMilliseconds: latencyMilliseconds)
        case let .wav(path, loops): try WAVFileSource(path: path, loops: loops)
        }
    }
}

/// Where a stream's video comes from: `v4l2:/dev/videoN`, `y4m:PATH` (looping) or
/// `pattern[:WIDTHxHEIGHT]` (the moving test pattern with its frame counter, 640x480 by default).
public enum VideoSourceSpecifier: Equatable, Sendable {
    case camera(path: String)
    case y4m(path: String)
    case pattern(width: Int, height: Int)

    public init(parsing text: String) throws(MediaSpecifierError) {
        let (scheme, argument) = splitSpecifier(text)
        switch scheme {
        case "v4l2": self = .camera(path: argument.isEmpty ? "/dev/video0" : argument)
        case "y4m" where !argument.isEmpty: self = .y4m(path: argument)
        case "pattern":
            guard !argument.isEmpty else {
                self = .pattern(width: 640, height: 480)
                return
            }
            let size = argument.lowercased().split(separator: "x").compactMap { Int($0) }
            guard size.count == 2, I420Frame.dimensionRange.contains(size[0]), I420Frame.dimensionRange.contains(size[1]),
                  size[0] % 2 == 0, size[1] % 2 == 0
            else { throw .invalid(text: text, reason: "the pattern size is WIDTHxHEIGHT, even numbers from 16 to 4096") }
            self = .pattern(width: size[0], height: size[1])
        default: throw .unknown(kind: "a video source", text: text, expected: "v4l2:/dev/videoN, y4m:PATH or pattern[:WxH]")
        }
    }

    /// Opens the source at `frameRate` (the Y4M file's own rate wins for files).
    public func open(frameRate: Int) throws -> any VideoSource {
        switch self {
        case let .camera(path): try V4L2CameraSource(path: path, frameRate: frameRate)
        case let .y4m(path): try Y4MFileSource(path: path, loops: true)
        case let .pattern(width, height): TestPatternSource(width: width, height: height, frameRate: frameRate)
        }
    }
}

/// Where received audio goes: `alsa:DEVICE` (a speaker) or `wav:PATH`.
public enum AudioSinkSpecifier: Equatable, Sendable {
    case alsa(device: String)
    case wav(path: String)

    public init(parsing text: String) throws(MediaSpecifierError) {
        let (scheme, argument) = splitSpecifier(text)
        switch scheme {
        case "alsa": self = .alsa(device: argument.isEmpty ? "default" : argument)
        case "wav" where !argument.isEmpty: self = .wav(path: argument)
        default: throw .unknown(kind: "an audio sink", text: text, expected: "alsa:DEVICE or wav:PATH")
        }
    }

    /// Opens the sink; an ALSA device with `latencyMilliseconds` of buffer.
    public func open(latencyMilliseconds: Int = ALSAPCM.defaultLatencyMilliseconds) throws -> any AudioSink {
        switch self {
        case let .alsa(device): try ALSAPlaybackSink(device: .named(device), latencyMilliseconds: latencyMilliseconds)
        case let .wav(path): try WAVFileSink(path: path)
        }
    }
}

/// Where received video goes: `y4m:PATH`.
public enum VideoSinkSpecifier: Equatable, Sendable {
    case y4m(path: String)

    public init(parsing text: String) throws(MediaSpecifierError) {
        let (scheme, argument) = splitSpecifier(text)
        guard scheme == "y4m", !argument.isEmpty else { throw .unknown(kind: "a video sink", text: text, expected: "y4m:PATH") }
        self = .y4m(path: argument)
    }

    public func open(frameRate: Int = 30) -> any VideoSink {
        switch self {
        case let .y4m(path): Y4MFileSink(path: path, frameRate: frameRate)
        }
    }
}

/// A source or sink text that does not name one Parley knows.
public enum MediaSpecifierError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknown(kind: String, text: String, expected: String)
    case invalid(text: String, reason: String)

    public var description: String {
        switch self {
        case let .unknown(kind, text, expected): "'\(text)' is not \(kind); use \(expected)"
        case let .invalid(text, reason): "'\(text)': \(reason)"
        }
    }
}

/// "scheme:argument" → ("scheme", "argument"); "scheme" → ("scheme", "").
private func splitSpecifier(_ text: String) -> (String, String) {
    guard let colon = text.firstIndex(of: ":") else { return (text.lowercased(), "") }
    return (text[..<colon].lowercased(), String(text[text.index(after: colon)...]))
}
