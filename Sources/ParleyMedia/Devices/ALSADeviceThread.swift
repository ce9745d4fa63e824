import Dispatch

/// Runs the blocking calls of one ALSA PCM on its own serial queue, so a device that
/// blocks (a real sound card paces reads and writes) never holds a thread of Swift's
/// cooperative pool. The PCM is only ever touched on the queue.
final class ALSADeviceThread: @unchecked Sendable {
    private let pcm: ALSAPCM
    private let queue: DispatchQueue

    init(_ pcm: ALSAPCM) {
        self.pcm = pcm
        queue = DispatchQueue(label: "parley.alsa.\(pcm.device.label)")
    }

    /// Reads `count` samples on the device's queue.
    func read(count: Int) async throws -> [Int16] {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { () throws(AudioDeviceError) in try self.pcm.read(count: count) })
            }
        }
    }

    /// Reads `count` samples on the device's queue, blocking the calling thread meanwhile
    /// (a media thread of its own, never the cooperative pool).
    func readBlocking(count: Int) throws(AudioDeviceError) -> [Int16] {
        try queue.sync { Result { () throws(AudioDeviceError) in try pcm.read(count: count) } }.get()
    }

    /// Queues a blocking write; `completion` runs on the queue once the device took it.
    func write(_ samples: [Int16], completion: @escaping @Sendable (AudioDeviceError?) -> Void) {
        queue.async {
            let result = Result { () throws(AudioDeviceError) in try self.pcm.write(samples) }
            if case let .failure(error) = result { completion(error) } else { completion(nil) }
        }
    }

    /// Queues a blocking write of `samples` changed by `step(delay)`, where `delay` is what
    /// the device holds just before (``ALSAPCM/delay()``): a positive step leaves out that
    /// many samples from the front, a negative one adds that many of silence in front.
    /// `completion` runs on the queue once the device took it.
    func write(_ samples: [Int16], adjusted step: @escaping @Sendable (Int?) -> Int,
               completion: @escaping @Sendable (AudioDeviceError?) -> Void) {
        queue.async {
            let change = step(self.pcm.delay())
            let written = change >= 0
                ? Array(samples.dropFirst(min(change, samples.count)))
                : [Int16](repeating: 0, count: -max(change, -samples.count)) + samples
            let result = Result { () throws(AudioDeviceError) in try self.pcm.write(written) }
            if case let .failure(error) = result { completion(error) } else { completion(nil) }
        }
    }

    /// Waits for queued writes, then lets the device play out what it holds.
    func drain() {
        queue.sync { pcm.drain() }
    }
}

