import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import ParleyMedia

/// ffmpeg, when installed (make deps installs it).
enum FFmpeg {
    static let path: String? = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Starts ffmpeg with `arguments` at low CPU priority (other tests run alongside);
    /// its stderr goes to `log`.
    static func start(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
        process.arguments = ["-n", "15", path ?? "/usr/bin/ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-threads", "1"]
            + arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits up to `seconds` for the process to exit; kills it when it does not.
    static func wait(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return false
        }
        return true
    }

    /// Waits until a UDP socket is bound to 127.0.0.1:`port` or 0.0.0.0:`port` (ffmpeg ready to
    /// receive), reading /proc/net/udp; false after `seconds`.
    static func waitUntilListening(port: Int, seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !queuedBytes(port: port).isEmpty { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// The bytes waiting in the receive queue of each UDP socket bound to `port` (the
    /// rx_queue column of /proc/net/udp); empty when none is bound.
    static func queuedBytes(port: Int) -> [Int] {
        let suffix = ":" + String(format: "%04X", port)
        let table = (try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 4, fields[1].hasSuffix(suffix) else { return nil }
            return fields[4].split(separator: ":").last.flatMap { Int($0, radix: 16) }
        }
    }

    /// Waits until the process receiving on `port` has read every datagram sent to it so
    /// far (or has closed the port); false after `seconds`. Senders call it to go no faster
    /// than a receiver slowed down by a loaded machine, so none of its datagrams are dropped.
    static func waitUntilRead(port: Int, seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if queuedBytes(port: port).allSatisfy({ $0 == 0 }) { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Input options for an ffmpeg receiving RTP described by an SDP file. The stream is
    /// ended with `endRTPInput`, not by a duration or frame count; the read timeout (ffmpeg
    /// stops after that long without a datagram) is only a safety net, long enough that a
    /// sender held up by a loaded machine does not end the stream early.
    static let rtpInputOptions = ["-protocol_whitelist", "file,udp,rtp", "-listen_timeout", "120"]

    /// How long a test waits for ffmpeg (to listen, to read, to finish) before taking it for
    /// stuck. ffmpeg runs at low priority and can be minutes behind on a loaded machine, so
    /// only a hung ffmpeg reaches this.
    static let patienceSeconds = 600.0

    /// Ends the RTP stream `ssrc` going to an ffmpeg receiving on `port` (with
    /// `rtpInputOptions`): once ffmpeg has read every RTP datagram sent (its socket's queue
    /// is empty), sends an RTCP receiver report and BYE to `port + 1`. ffmpeg's RTP demuxer
    /// takes the BYE as the end of the input, then finishes and closes its output file.
    /// Waiting for the queue matters: ffmpeg reads its RTCP socket before its RTP socket.
    static func endRTPInput(port: Int, ssrc: UInt32, sender: LoopbackUDPSocket) async throws -> Bool {
        let read = try await waitUntilRead(port: port, seconds: patienceSeconds)
        let ssrcBytes = (0 ..< 4).map { UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * $0)) }
        let bye = try RTCPPacket.serializeCompound([
            .receiverReport(RTCPReceiverReport(ssrc: ssrc)),
            .other(packetType: 203, count: 1, body: ssrcBytes),
        ])
        sender.send(bye, toPort: port + 1)
        return read
    }

    /// An SDP file describing one RTP stream arriving at 127.0.0.1:`port`.
    static func sdp(media: String, port: Int, payloadType: Int, rtpmap: String) -> String {
        """
        v=0
        o=- 0 0 IN IP4 127.0.0.1
        s=Parley
        c=IN IP4 127.0.0.1
        t=0 0
        m=\(media) \(port) RTP/AVP \(payloadType)
        a=rtpmap:\(payloadType) \(rtpmap)

        """
    }
}

/// A UDP socket on 127.0.0.1 for the interop tests (POSIX, blocking with a timeout).
final class LoopbackUDPSocket {
    let descriptor: Int32
    let port: Int

    /// Binds to `port` (0 = any free port).
    init(port requested: Int = 0) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(requested).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        var size: Int32 = 4 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    /// An even port whose odd neighbour is free too (RTP convention), found by binding both.
    static func freeEvenPort() throws -> Int {
        for _ in 0 ..< 50 {
            let candidate = Int.random(in: 20000 ..< 30000) & ~1
            if let rtp = try? LoopbackUDPSocket(port: candidate), (try? LoopbackUDPSocket(port: candidate + 1)) != nil {
                _ = rtp
                return candidate
            }
        }
        throw POSIXError(.EADDRINUSE)
    }

    func send(_ bytes: [UInt8], toPort port: Int) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// Every datagram that arrives while `process` runs and shortly after it exits (at
    /// most `limit` seconds in all: a safety net for a hung sender, not a duration).
    func receiveAll(while process: Process, limit: Double = FFmpeg.patienceSeconds) -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(limit)
        var quietAfterExit = 0
        while Date() < deadline, quietAfterExit < 3 {
            if let datagram = receive(timeout: 0.1) {
                datagrams.append(datagram)
            } else if !process.isRunning {
                quietAfterExit += 1
            }
        }
        return datagrams
    }

    /// The next datagram, or nil after `timeout` seconds without one.
    func receive(timeout: Double) -> [UInt8]? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return Array(buffer[..<count])
    }
}

/// A frequency sweep from 300 Hz to 3 kHz at half scale: unlike a sine, it lines up
/// with a delayed copy of itself at one lag only.
func chirp(seconds: Double) -> [Int16] {
    let count = Int(seconds * 48000)
    return (0 ..< count).map { index in
        let time = Double(index) / 48000
        let phase = 2 * Double.pi * (300 * time + (3000 - 300) * time * time / (2 * seconds))
        return Int16(16000 * sin(phase))
    }
}

/// The lag (0..<maxLag) at which `output` best matches `input` over `range` (found on a
/// 100 ms window), and the Pearson correlation over the whole range at that lag.
func bestAlignedCorrelation(input: [Int16], output: [Int16], range: Range<Int>, maxLag: Int) -> (correlation: Double, lag: Int) {
    let x = input.map(Double.init), y = output.map(Double.init)
    let window = range.lowerBound ..< min(range.upperBound, range.lowerBound + 4800)
    var bestLag = 0
    var bestScore = -Double.infinity
    guard window.upperBound <= x.count else { return (0, 0) }
    for lag in 0 ..< maxLag where window.upperBound + lag <= y.count {
        var dot = 0.0, energy = 0.0
        for index in window {
            dot += x[index] * y[index + lag]
            energy += y[index + lag] * y[index + lag]
        }
        let score = energy > 0 ? dot / energy.squareRoot() : 0
        if score > bestScore { (bestScore, bestLag) = (score, lag) }
    }
    let end = min(range.upperBound, output.count - bestLag)
    guard end > range.lowerBound else { return (0, bestLag) }   // not enough output to compare
    let correlation = OpusCodecTests.correlation(input[range.lowerBound ..< end], output[(range.lowerBound + bestLag) ..< (end + bestLag)])
    return (correlation, bestLag)
}
