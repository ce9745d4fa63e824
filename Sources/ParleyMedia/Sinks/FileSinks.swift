/// Collects played audio and writes it as a 48 kHz mono WAV file on `finish()`.
public final class WAVFileSink {
    public let path: String
    public private(set) var samples: [Int16] = []

    public init(path: String) {
        self.path = path
    }

    /// Appends played samples.
    public func write(_ frame: [Int16]) {
        samples += frame
    }

    /// Writes the file.
    public func finish() throws(MediaFileError) {
        try WAVFile.write(PCMAudio(sampleRate: VoiceFormat.sampleRate, channels: VoiceFormat.channels, samples: samples), to: path)
    }
}

/// Writes displayed frames to a Y4M file as they come.
public final class Y4MFileSink {
    private let writer: Y4MWriter

    public init(path: String, width: Int, height: Int, frameRate: Int = 30) throws(MediaFileError) {
        writer = try Y4MWriter(path: path, header: Y4MHeader(width: width, height: height, frameRateNumerator: frameRate))
    }

    public func write(_ frame: I420Frame) throws(MediaFileError) {
        try writer.write(frame)
    }
}
