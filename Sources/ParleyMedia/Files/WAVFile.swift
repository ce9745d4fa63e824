import Foundation

/// 16-bit PCM audio as stored in a WAV file (interleaved when stereo).
public struct PCMAudio: Equatable, Sendable {
    public var sampleRate: Int
    public var channels: Int
    public var samples: [Int16]

    public init(sampleRate: Int, channels: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    /// Duration in seconds.
    public var duration: Double { Double(samples.count / max(channels, 1)) / Double(sampleRate) }
}

/// Reads and writes RIFF/WAVE files holding 16-bit little-endian PCM.
public enum WAVFile {
    private static let conversion = "ffmpeg -i in.wav -c:a pcm_s16le -ar 48000 -ac 1 out.wav"

    /// Reads a whole file.
    public static func read(path: String) throws(MediaFileError) -> PCMAudio {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: "cannot be read (missing or no permission)")
        }
        return try parse([UInt8](data), path: path)
    }

    /// Parses the bytes of a WAV file; `path` only names it in errors.
    public static func parse(_ bytes: [UInt8], path: String = "WAV data") throws(MediaFileError) -> PCMAudio {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 12, bytes[0 ..< 4].elementsEqual("RIFF".utf8), bytes[8 ..< 12].elementsEqual("WAVE".utf8) else {
            throw .malformed(path: path, reason: "no RIFF/WAVE header")
        }
        var offset = 12
        var format: (channels: Int, rate: Int)?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset ..< offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            let body = offset + 8
            guard size <= bytes.count - body || id == "data" else {
                throw .malformed(path: path, reason: "chunk '\(id)' claims \(size) bytes, \(bytes.count - body) remain")
            }
            switch id {
            case "fmt ":
                guard size >= 16 else { throw .malformed(path: path, reason: "fmt chunk of \(size) bytes") }
                var tag = u16(body)
                if tag == 0xFFFE, size >= 40 { tag = u16(body + 24) }  // WAVE_FORMAT_EXTENSIBLE: sub-format GUID
                let bits = u16(body + 14)
                guard tag == 1, bits == 16 else {
                    throw .unsupported(path: path, what: "format \(tag) with \(bits) bits per sample (only 16-bit PCM)", conversion: conversion)
                }
                let channels = u16(body + 2), rate = u32(body + 4)
                guard channels >= 1, rate >= 1 else { throw .malformed(path: path, reason: "\(channels) channels at \(rate) Hz") }
                format = (channels, rate)
            case "data":
                guard let format else { throw .malformed(path: path, reason: "data chunk before the fmt chunk") }
                // Streams written by pipes leave the size at 0 or 0xFFFFFFFF: take what is there.
                let available = bytes.count - body
                let length = (size == 0 || size > available ? available : size) & ~1
                var samples = [Int16](repeating: 0, count: length / 2)
                for index in samples.indices {
                    samples[index] = Int16(bitPattern: UInt16(bytes[body + 2 * index]) | UInt16(bytes[body + 2 * index + 1]) << 8)
                }
                return PCMAudio(sampleRate: format.rate, channels: format.channels, samples: samples)
            default:
                break
            }
            offset = body + size + (size & 1)
        }
        throw .malformed(path: path, reason: "no data chunk")
    }

    /// The bytes of a WAV file holding `audio`.
    public static func serialize(_ audio: PCMAudio) -> [UInt8] {
        header(sampleRate: audio.sampleRate, channels: audio.channels, sampleCount: audio.samples.count)
            + littleEndianBytes(audio.samples)
    }

    /// The 44-byte header of a 16-bit PCM file holding `sampleCount` samples (of all
    /// channels together).
    static func header(sampleRate: Int, channels: Int, sampleCount: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44)
        func u16(_ value: Int) { bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
        func u32(_ value: Int) { u16(value & 0xFFFF); u16(value >> 16) }
        let dataSize = sampleCount * 2
        bytes += Array("RIFF".utf8); u32(36 + dataSize); bytes += Array("WAVE".utf8)
        bytes += Array("fmt ".utf8); u32(16); u16(1); u16(channels); u32(sampleRate)
        u32(sampleRate * channels * 2); u16(channels * 2); u16(16)
        bytes += Array("data".utf8); u32(dataSize)
        return bytes
    }

    /// Samples as WAV stores them: 16-bit little-endian.
    static func littleEndianBytes(_ samples: [Int16]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: samples.count * 2)
        for (index, sample) in samples.enumerated() {
            bytes[2 * index] = UInt8(truncatingIfNeeded: sample)
            bytes[2 * index + 1] = UInt8(truncatingIfNeeded: sample >> 8)
        }
        return bytes
    }

    /// Writes `audio` to `path`, replacing the file.
    public static func write(_ audio: PCMAudio, to path: String) throws(MediaFileError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(serialize(audio))) else {
            throw .io(path: path, reason: "cannot be written (check the directory exists and is writable)")
        }
    }
}
