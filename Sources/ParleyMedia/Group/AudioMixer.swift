import Foundation

/// Plays the audio of every participant of a group call on one sink (a sound card or a
/// file). Each leg's playout writes into an input of its own (``AudioMixer/input()``); the
/// lead input — the oldest one still writing — writes to the sink, adding what the others
/// queued since, sample by sample with saturation. The others queue at most
/// ``maxQueuedSamples`` (older samples are dropped), and one whose lead stopped writing
/// for ``leadTimeoutNanoseconds`` takes the lead. With one input the mixer passes frames
/// through as they are.
public final class AudioMixer: @unchecked Sendable {
    /// 60 ms at 48 kHz.
    public static let maxQueuedSamples = 2880
    /// A lead silent this long (its playout stopped) hands over to the next input.
    public static let leadTimeoutNanoseconds: UInt64 = 100_000_000

    private struct Input {
        var queue: [Int16] = []
        var dropped = 0
        /// Mean absolute amplitude of its recent frames (each frame weighs a fifth).
        var loudness = 0.0
    }

    private let lock = NSLock()
    private let sink: any AudioSink
    private let clock = MonotonicClock()
    /// Inputs in the order they came; the first one writing is the lead.
    private var inputs: [(id: Int, input: Input)] = []
    private var lead: Int?
    private var leadWroteAt: UInt64 = 0
    private var nextID = 0
    private var finished = false

    public init(sink: any AudioSink) {
        self.sink = sink
    }

    /// A new input for one leg's playout.
    public func input() -> AudioMixerInput {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        inputs.append((nextID, Input()))
        return AudioMixerInput(mixer: self, id: nextID)
    }

    /// Finishes the sink (plays out what is queued, completes the file). Inputs written
    /// afterwards are ignored.
    public func finish() throws {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        try sink.finish()
    }

    func write(_ samples: [Int16], from id: Int) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !finished, let index = inputs.firstIndex(where: { $0.id == id }) else { return }
        if !samples.isEmpty {
            let mean = Double(StandingQueueTrimmer.loudness(samples))
            inputs[index].input.loudness = inputs[index].input.loudness * 0.8 + mean * 0.2
        }
        let now = clock.nowNanoseconds()
        if lead == nil || lead == id || now &- leadWroteAt > Self.leadTimeoutNanoseconds {
            lead = id
            leadWroteAt = now
            inputs[index].input.queue.removeAll()
            try sink.write(mixed(samples, leadIndex: index))
            return
        }
        inputs[index].input.queue.append(contentsOf: samples)
        let excess = inputs[index].input.queue.count - Self.maxQueuedSamples
        if excess > 0 {
            inputs[index].input.queue.removeFirst(excess)
            inputs[index].input.dropped += excess
        }
    }

    /// The lead's frame with what every other input queued added to it.
    private func mixed(_ samples: [Int16], leadIndex: Int) -> [Int16] {
        guard inputs.count > 1 else { return samples }
        var sums = samples.map(Int32.init)
        for index in inputs.indices where index != leadIndex {
            let taken = min(sums.count, inputs[index].input.queue.count)
            guard taken > 0 else { continue }
            inputs[index].input.queue.withUnsafeBufferPointer { queue in
                for sample in 0 ..< taken { sums[sample] += Int32(queue[sample]) }
            }
            inputs[index].input.queue.removeFirst(taken)
        }
        return sums.map { Int16(clamping: $0) }
    }

    func detach(_ id: Int) {
        lock.lock()
        defer { lock.unlock() }
        inputs.removeAll { $0.id == id }
        if lead == id { lead = nil }
    }

    func loudness(_ id: Int) -> Double {
        lock.lock()
        defer { lock.unlock() }
        return inputs.first { $0.id == id }?.input.loudness ?? 0
    }

    func dropped(_ id: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let own = (inputs.first { $0.id == id }?.input.dropped ?? 0) / 960
        return lead == id ? sink.framesDropped + own : own
    }

    var playoutCorrectionNanoseconds: Int64 { sink.playoutCorrectionNanoseconds }
    var hasClock: Bool { sink.hasClock }
}

/// One leg's playout into an ``AudioMixer``. Finishing it detaches it; the mixer's owner
/// finishes the sink once the call is over.
public final class AudioMixerInput: AudioSink {
    private let mixer: AudioMixer
    private let id: Int

    init(mixer: AudioMixer, id: Int) {
        self.mixer = mixer
        self.id = id
    }

    public func write(_ samples: [Int16]) throws { try mixer.write(samples, from: id) }
    public func finish() throws { mixer.detach(id) }
    /// How loud this input's recent frames were (mean absolute amplitude, decaying).
    public var loudness: Double { mixer.loudness(id) }
    /// Frames the sink dropped while this input led, and samples (in frames) this input
    /// queued too far ahead of the lead.
    public var framesDropped: Int { mixer.dropped(id) }
    /// Every input follows the sink's clock, so none drifts against the lead.
    public var playoutCorrectionNanoseconds: Int64 { mixer.playoutCorrectionNanoseconds }
    public var hasClock: Bool { mixer.hasClock }
}
