import Foundation
@testable import ParleyMedia
import ParleyStream
import Synchronization

/// A bad network between two call sessions, in user space (this kernel has no netem): each
/// direction drops a share of the datagrams at random (seeded) and delays the rest by a
/// random time within `delay`, which reorders them; a thread of its own releases them on
/// time. SRTP leaves the RTP header in the clear, so the link can tell the longest run of
/// audio packets it dropped (what FEC and PLC had to cover).
final class ImpairedLink: Sendable {
    struct Direction: Sendable {
        var generator: SplitMix64
        var forwarded = 0
        var dropped = 0
        var audioRun = 0
        var longestAudioRun = 0
    }

    /// One end: what a session sends into it comes out at the other end.
    final class End: MediaTransport {
        let link: ImpairedLink
        let index: Int
        init(link: ImpairedLink, index: Int) {
            self.link = link
            self.index = index
        }
        func send(_ datagram: [UInt8]) { link.send(datagram, from: index) }
    }

    private let lossRate: Double
    private let delay: ClosedRange<Double>
    private let directions: Mutex<[Direction]>
    private let queue = Mutex<[(release: UInt64, to: Int, datagram: [UInt8])]>([])
    private let sessions = Mutex<[CallMediaSession?]>([nil, nil])
    private let stopped = Mutex(false)
    private let clock = MonotonicClock()

    /// Audio datagrams wait this much longer than the rest (a known offset between the streams).
    private let audioExtraDelay: Double

    init(lossRate: Double, delayMilliseconds: ClosedRange<Double>, audioExtraDelayMilliseconds: Double = 0, seed: UInt64) {
        self.lossRate = lossRate
        delay = delayMilliseconds
        audioExtraDelay = audioExtraDelayMilliseconds
        directions = Mutex([Direction(generator: SplitMix64(seed: seed)), Direction(generator: SplitMix64(seed: seed &+ 1))])
    }

    /// The two ends (give end 0 to the session at index 0).
    var ends: (End, End) { (End(link: self, index: 0), End(link: self, index: 1)) }

    func connect(_ first: CallMediaSession, _ second: CallMediaSession) {
        sessions.withLock { $0 = [first, second] }
        Thread { [self] in run() }.start()
    }

    func stop() {
        stopped.withLock { $0 = true }
        sessions.withLock { $0 = [nil, nil] }
    }

    /// Datagrams dropped / forwarded, and the longest run of dropped audio, per direction (0 → 1, 1 → 0).
    var totals: [Direction] { directions.withLock { $0 } }

    private func send(_ datagram: [UInt8], from index: Int) {
        let isAudio = datagram.count >= 12 && datagram[0] & 0xC0 == 0x80 && datagram[1] & 0x7F == MediaDescription.opusPayloadType
        let wait: Double? = directions.withLock { directions in
            var direction = directions[index]
            defer { directions[index] = direction }
            if direction.generator.nextUnitInterval() < lossRate {
                direction.dropped += 1
                if isAudio {
                    direction.audioRun += 1
                    direction.longestAudioRun = max(direction.longestAudioRun, direction.audioRun)
                }
                return nil
            }
            if isAudio { direction.audioRun = 0 }
            direction.forwarded += 1
            return delay.lowerBound + direction.generator.nextUnitInterval() * (delay.upperBound - delay.lowerBound)
                + (isAudio ? audioExtraDelay : 0)
        }
        guard let wait else { return }
        let release = clock.nowNanoseconds() + UInt64(wait * 1e6)
        queue.withLock { $0.append((release, 1 - index, datagram)) }
    }

    private func run() {
        while !stopped.withLock({ $0 }) {
            usleep(1000)
            let now = clock.nowNanoseconds()
            let due = queue.withLock { queue -> [(release: UInt64, to: Int, datagram: [UInt8])] in
                let due = queue.filter { $0.release <= now }
                queue.removeAll { $0.release <= now }
                return due.sorted { $0.release < $1.release }
            }
            let targets = sessions.withLock { $0 }
            for item in due { targets[item.to]?.receive(item.datagram) }
        }
    }
}
