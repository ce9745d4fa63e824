import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Captures the UDP datagrams crossing the loopback interface (a packet socket: needs root),
/// on a thread of its own, until stopped.
final class LoopbackCapture: @unchecked Sendable {
    struct Datagram {
        var sourcePort: Int
        var destinationPort: Int
        var payload: [UInt8]
    }

    static var available: Bool { getuid() == 0 }

    private let descriptor: Int32
    private let lock = NSLock()
    private var captured: [Datagram] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init() throws {
        // ETH_P_ALL (3) in network order; SOCK_DGRAM hands over the IP packet without the link header.
        descriptor = socket(AF_PACKET, Int32(SOCK_DGRAM.rawValue), Int32(UInt16(3).bigEndian))
        guard descriptor >= 0 else { throw CommandFailed(status: errno, stderr: "packet socket: \(String(cString: strerror(errno)))") }
        // struct sockaddr_ll (linux/if_packet.h, 20 bytes): family, protocol, interface index; the rest zero.
        var address = [UInt8](repeating: 0, count: 20)
        withUnsafeBytes(of: UInt16(AF_PACKET)) { address.replaceSubrange(0 ..< 2, with: $0) }
        withUnsafeBytes(of: UInt16(3).bigEndian) { address.replaceSubrange(2 ..< 4, with: $0) }
        withUnsafeBytes(of: Int32(if_nametoindex("lo"))) { address.replaceSubrange(4 ..< 8, with: $0) }
        let bound = address.withUnsafeBytes {
            bind(descriptor, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(20))
        }
        guard bound == 0 else {
            close(descriptor)
            throw CommandFailed(status: errno, stderr: "binding the packet socket to lo failed")
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread { [self] in read() }.start()
    }

    private func read() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while lock.withLock({ running }) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 28 else { continue }
            let packet = buffer[0 ..< count]
            // IPv4, UDP.
            guard packet[0] >> 4 == 4, packet[9] == 17 else { continue }
            let header = Int(packet[0] & 0x0F) * 4
            guard count >= header + 8 else { continue }
            let source = Int(packet[header]) << 8 | Int(packet[header + 1])
            let destination = Int(packet[header + 2]) << 8 | Int(packet[header + 3])
            let datagram = Datagram(sourcePort: source, destinationPort: destination, payload: Array(packet[(header + 8)...]))
            lock.withLock { captured.append(datagram) }
        }
        finished.signal()
    }

    /// Stops capturing; returns every datagram seen.
    func stop() -> [Datagram] {
        lock.withLock { running = false }
        finished.wait()
        close(descriptor)
        return lock.withLock { captured }
    }
}

/// What a captured RTP datagram gives away.
enum RTPInspection {
    /// The payload after the RTP header (fixed part, CSRCs, extension), for RTP (not RTCP) packets.
    static func payload(of datagram: [UInt8]) -> ArraySlice<UInt8>? {
        guard datagram.count > 12, datagram[0] >> 6 == 2 else { return nil }
        let payloadType = datagram[1] & 0x7F
        guard (96 ... 127).contains(payloadType) else { return nil }  // 72…76 with the marker bit: RTCP
        var offset = 12 + Int(datagram[0] & 0x0F) * 4
        if datagram[0] & 0x10 != 0, datagram.count >= offset + 4 {
            offset += 4 + (Int(datagram[offset + 2]) << 8 | Int(datagram[offset + 3])) * 4
        }
        return offset < datagram.count ? datagram[offset...] : nil
    }

    /// Whether the payload opens a VP8 key frame in the clear: the start code 9d 01 2a right
    /// after a VP8 payload descriptor (1 to 6 bytes) and the 3-byte frame tag.
    static func showsVP8KeyFrame(_ payload: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(payload.prefix(16))
        guard bytes.count >= 10 else { return false }
        for start in 1 ... 6 where start + 6 <= bytes.count {
            if bytes[start + 3] == 0x9D, bytes[start + 4] == 0x01, bytes[start + 5] == 0x2A { return true }
        }
        return false
    }
}
