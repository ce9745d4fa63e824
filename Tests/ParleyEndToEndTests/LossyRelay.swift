import Foundation
@testable import ParleyMedia
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A UDP relay between an RTP sender and receiver on loopback that behaves like a bad
/// network (this kernel has no netem): it drops a share of the packets at random (seeded,
/// so a run can be repeated) and delays each of the rest by a random time, which also
/// reorders them. One socket per stream: what comes from the receiver's port goes back
/// to the sender (RTCP feedback), everything else goes on to the receiver.
final class LossyRelay: @unchecked Sendable {
    struct Counters {
        var forwarded = 0
        var dropped = 0
    }

    let ports: [Int]
    private let descriptors: [Int32]
    private let receiverPorts: [Int]
    private let lossRate: Double
    private let delay: ClosedRange<Double>
    /// One generator per socket and direction: the drops do not depend on how the
    /// streams interleave.
    private var generators: [[SplitMix64]]
    private var senders: [sockaddr_in?]
    private var queue: [(release: Double, socket: Int, datagram: [UInt8], to: sockaddr_in)] = []
    private let stopped = Mutex(false)
    private let counters = Mutex(Counters())
    private var thread: Thread?

    /// Relays what arrives on `listenPorts` to `receiverPorts` (one per stream) on 127.0.0.1.
    init(listenPorts: [Int], to receiverPorts: [Int], lossRate: Double, delayMilliseconds: ClosedRange<Double>, seed: UInt64) throws {
        var descriptors: [Int32] = []
        var ports: [Int] = []
        for port in listenPorts {
            let descriptor = MediaFixtures.bindUDP(port: port)
            guard descriptor >= 0 else { throw TimedOut(what: "binding the relay", seconds: 0) }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            descriptors.append(descriptor)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        self.descriptors = descriptors
        self.ports = ports
        self.receiverPorts = receiverPorts
        self.lossRate = lossRate
        delay = delayMilliseconds
        generators = (0 ..< receiverPorts.count).map { index in
            [SplitMix64(seed: seed &+ UInt64(2 * index)), SplitMix64(seed: seed &+ UInt64(2 * index + 1))]
        }
        senders = Array(repeating: nil, count: receiverPorts.count)
    }

    deinit { descriptors.forEach { close($0) } }

    func start() {
        let thread = Thread { [self] in run() }
        self.thread = thread
        thread.start()
    }

    func stop() {
        stopped.withLock { $0 = true }
        usleep(100_000)
    }

    var totals: Counters { counters.withLock { $0 } }

    private func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !stopped.withLock({ $0 }) {
            let next = queue.map(\.release).min()
            let timeout = next.map { max(0, Int32(($0 - now()) * 1000)) } ?? 20
            var pollers = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            _ = poll(&pollers, nfds_t(pollers.count), min(timeout, 20))
            for (index, poller) in pollers.enumerated() where poller.revents & Int16(POLLIN) != 0 {
                var from = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = buffer.withUnsafeMutableBytes { bytes in
                    withUnsafeMutablePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(poller.fd, bytes.baseAddress, bytes.count, 0, $0, &length) }
                    }
                }
                guard count > 0 else { continue }
                let fromReceiver = Int(UInt16(bigEndian: from.sin_port)) == receiverPorts[index]
                if !fromReceiver { senders[index] = from }
                guard let destination = fromReceiver ? senders[index] : Self.loopback(port: receiverPorts[index]) else { continue }
                let direction = fromReceiver ? 1 : 0
                if generators[index][direction].nextUnitInterval() < lossRate {
                    counters.withLock { $0.dropped += 1 }
                    continue
                }
                let wait = delay.lowerBound + generators[index][direction].nextUnitInterval() * (delay.upperBound - delay.lowerBound)
                queue.append((now() + wait / 1000, index, Array(buffer[..<count]), destination))
            }
            let current = now()
            let due = queue.filter { $0.release <= current }.sorted { $0.release < $1.release }
            queue.removeAll { $0.release <= current }
            for item in due {
                var to = item.to
                _ = item.datagram.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &to) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(descriptors[item.socket], bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
                counters.withLock { $0.forwarded += 1 }
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
