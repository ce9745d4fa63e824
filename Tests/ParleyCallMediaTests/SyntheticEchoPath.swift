import Foundation
import ParleyMedia
import ParleyStream
import Synchronization

/// A room in memory: what a session plays (its audio sink) comes back into its
/// microphone (its audio source) `delay` later, attenuated — the echo a speaker and a
/// microphone make in a real room. The microphone is paced at 20 ms by the clock, like a
/// capture device; between the two the echo waits in a queue pre-filled with the delay's
/// worth of silence.
final class SyntheticEchoPath: Sendable {
    private let gain: Double
    private let echo: Mutex<[[Int16]]>

    /// `delayMilliseconds` a multiple of 20 (50–150 ms in the test); `attenuationDecibels` ≥ 0.
    init(delayMilliseconds: Int, attenuationDecibels: Double) {
        gain = pow(10, -attenuationDecibels / 20)
        echo = Mutex(Array(repeating: [Int16](repeating: 0, count: 960), count: max(1, delayMilliseconds / 20)))
    }

    /// The loudspeaker: the session's audio sink.
    final class Speaker: AudioSink {
        let path: SyntheticEchoPath
        init(path: SyntheticEchoPath) { self.path = path }
        func write(_ samples: [Int16]) throws {
            let echoed = samples.map { Int16(clamping: Int((Double($0) * path.gain).rounded())) }
            path.echo.withLock { if $0.count < 50 { $0.append(echoed) } }
        }
        func finish() throws {}
    }

    /// The microphone: the session's audio source; hears only the echo (the near end is silent).
    final class Microphone: AudioSource {
        let path: SyntheticEchoPath
        private let clock = MonotonicClock()
        private var next: UInt64?
        init(path: SyntheticEchoPath) { self.path = path }

        func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)? {
            let due = nextDue()
            let now = clock.nowNanoseconds()
            if due > now { try await Task.sleep(nanoseconds: due - now) }
            return (take(), due)
        }

        func nextFrameBlocking() throws -> (samples: [Int16], captureTime: UInt64)? {
            let due = nextDue()
            let now = clock.nowNanoseconds()
            if due > now { usleep(UInt32((due - now) / 1000)) }
            return (take(), due)
        }

        private func nextDue() -> UInt64 {
            let due = next ?? clock.nowNanoseconds() + 20_000_000
            next = due + 20_000_000
            return due
        }

        private func take() -> [Int16] {
            path.echo.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? [Int16](repeating: 0, count: 960)
        }
    }

    var speaker: Speaker { Speaker(path: self) }
    var microphone: Microphone { Microphone(path: self) }
}
