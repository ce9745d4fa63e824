/// What the audio playout should do for the next 20 ms.
public enum AudioPlayoutAction: Equatable, Sendable {
    /// Decode this packet.
    case decode([UInt8])
    /// The packet is missing but the next one is here: recover it from the next packet's FEC.
    case recoverWithFEC(nextPacket: [UInt8])
    /// The packet is missing: conceal (PLC).
    case conceal
    /// Nothing to play yet (buffer filling before the first packet is due): play silence.
    case silence
}

/// Adaptive jitter buffer for 20 ms Opus packets on a 48 kHz RTP clock.
///
/// The target delay follows the network: the 95th percentile of how late packets arrive
/// relative to the earliest one of the last `window` packets, plus one frame, kept within
/// `minimumDelay...maximumDelay` (20...200 ms by default). The playout asks for one
/// action every 20 ms (`nextAction`). Underruns conceal and, while the buffer is below
/// target, hold the playout position (the delay grows, so a packet that is only late still
/// plays); when what comes next shows the held frames were lost, not late, the frames
/// already concealed while holding are not concealed again; a buffer that stays above target
/// (the sender's clock runs fast, or the network calmed down) drops one frame per second
/// (and the receiver skips quiet frames meanwhile, `isAboveTarget`);
/// anything beyond the cap is dropped at once. Late packets are discarded.
public struct AudioJitterBuffer: Sendable {
    public static let samplesPerFrame: Int64 = 960
    public static let frameNanoseconds: UInt64 = 20_000_000

    public let minimumDelay: UInt64
    public let maximumDelay: UInt64
    public let window: Int

    /// Counters for call statistics.
    public private(set) var packetsLate = 0
    public private(set) var packetsDuplicate = 0
    public private(set) var framesConcealed = 0
    public private(set) var framesRecovered = 0
    public private(set) var framesDropped = 0
    /// The RTP timestamp of the last frame decoded for playout (for lip sync).
    public private(set) var lastPlayedTimestamp: UInt32?

    private var timestamps = RTPTimestampUnwrapper()
    private var packets: [Int64: [UInt8]] = [:]
    /// The RTP timestamp of the next frame to play; nil before the first packet.
    private var playout: Int64?
    private var started = false
    private var lateness: [Int64] = []   // arrival − timestamp time, in ns, last `window` packets
    private var ticksAboveTarget = 0
    private var hasPlayed = false
    /// The playout is holding its position because nothing newer arrived.
    private var inUnderrun = false
    /// Frames concealed while holding the position in the current underrun.
    private var heldTicks = 0
    /// Ticks since the last concealed frame; while recent, one more frame is buffered so
    /// that the next packet (and its FEC) is at hand when a packet goes missing.
    private var ticksSinceLoss = Int.max / 2
    public static let lossMemoryTicks = 250
    /// At most this many packets are held (a stream holds about maximumDelay / 20 ms; more
    /// means timestamps off the 20 ms grid, which only a broken or hostile sender produces).
    public static let maximumPackets = 64
    /// Extra delay the target holds on top of what the network needs (a reserve for the
    /// queue a probe of the path may build; see `AudioStreamReceiver.holdsProbeReserve`).
    public var reserve: UInt64 = 0

    public init(minimumDelay: UInt64 = 20_000_000, maximumDelay: UInt64 = 200_000_000, window: Int = 100) {
        precondition(minimumDelay <= maximumDelay && window > 0, "invalid jitter buffer limits")
        self.minimumDelay = minimumDelay
        self.maximumDelay = maximumDelay
        self.window = window
    }

    /// Packets held now (at most `maximumPackets`).
    public var heldPackets: Int { packets.count }

    /// The delay the buffer aims for, in nanoseconds.
    public var targetDelay: UInt64 {
        guard let earliest = lateness.min() else { return minimumDelay }
        // Every value is ≥ earliest, so the wrapping difference read as unsigned is exact.
        let spread = lateness.map { UInt64(bitPattern: $0 &- earliest) }.sorted()
        let percentile = min(spread[min(spread.count - 1, spread.count * 95 / 100)], maximumDelay)
        let lossReserve = ticksSinceLoss < Self.lossMemoryTicks ? Self.frameNanoseconds : 0
        return min(max(percentile + Self.frameNanoseconds + lossReserve + min(reserve, maximumDelay), minimumDelay), maximumDelay)
    }

    /// Audio buffered ahead of the playout position, in nanoseconds.
    public var bufferedDelay: UInt64 {
        guard let playout, let highest = timestamps.highest, highest >= playout else { return 0 }
        return Self.nanoseconds(samples: UInt64(bitPattern: highest &- playout) &+ UInt64(Self.samplesPerFrame))
    }

    /// `samples` at 48 kHz in nanoseconds, saturating (timestamps come from the peer).
    private static func nanoseconds(samples: UInt64) -> UInt64 {
        let (product, overflow) = samples.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? .max : product / 48
    }

    /// The arrival time minus the RTP time of `timestamp`, in nanoseconds, saturating.
    private static func lateness(arrival: UInt64, timestamp: Int64) -> Int64 {
        let (product, overflow) = timestamp.multipliedReportingOverflow(by: 1_000_000)
        let rtpTime = overflow ? (timestamp < 0 ? .min : .max) : product / 48
        let (difference, differenceOverflow) = Int64(clamping: arrival).subtractingReportingOverflow(rtpTime)
        return differenceOverflow ? (rtpTime < 0 ? .max : .min) : difference
    }

    /// Adds a received packet (Opus payload, its RTP timestamp, arrival time in ns).
    public mutating func insert(payload: [UInt8], timestamp: UInt32, arrivalNanoseconds: UInt64) {
        let unwrapped = timestamps.unwrap(timestamp)
        if let playout, unwrapped < playout {
            packetsLate += 1
            return
        }
        if packets[unwrapped] != nil {
            packetsDuplicate += 1
            return
        }
        // A packet far ahead of a stalled playout ends a pause (DTX, a sender that stopped):
        // start again from it once the buffer holds its target. A short gap is loss: the
        // playout goes on through it (FEC, PLC) without refilling, which would add a gap.
        let pauseSamples = UInt64(maximumDelay / 1_000_000 * 48)
        if let position = playout, inUnderrun, unwrapped > position, UInt64(bitPattern: unwrapped &- position) > pauseSamples {
            playout = unwrapped
            started = false
        } else if playout == nil {
            playout = unwrapped
            started = false
        } else if let position = playout, inUnderrun, unwrapped > position {
            // The playout ran dry in the middle of a loss and concealed `heldTicks` frames
            // while holding its position: those frames stand in for the first of the lost
            // ones, which are not concealed a second time (the frame just before this
            // packet stays, for its FEC copy).
            let missing = (unwrapped &- position) / Self.samplesPerFrame
            let skipped = min(Int64(heldTicks), max(0, missing - 1))
            playout = position &+ skipped &* Self.samplesPerFrame
        }
        inUnderrun = false
        heldTicks = 0
        if packets.count >= Self.maximumPackets, let position = playout {
            // Packets off the 20 ms grid that the playout passed by: forget them.
            packets = packets.filter { $0.key >= position }
            guard packets.count < Self.maximumPackets else {
                framesDropped += 1
                return
            }
        }
        packets[unwrapped] = payload
        lateness.append(Self.lateness(arrival: arrivalNanoseconds, timestamp: unwrapped))
        if lateness.count > window { lateness.removeFirst(lateness.count - window) }
        // Hard cap: never hold more than the maximum delay. The playout moves on in whole
        // frames, at once however far a (hostile) timestamp jumped ahead.
        if bufferedDelay > maximumDelay + Self.frameNanoseconds, let position = playout, let highest = timestamps.highest {
            // bufferedDelay = ⌊x · 10⁶ / 48⌋ ≤ cap, x = highest + 960 − playout ⇔ x ≤ ⌊(48 (cap + 1) − 1) / 10⁶⌋.
            let cap = maximumDelay + Self.frameNanoseconds
            let capSamples = Int64(clamping: (48 &* (cap &+ 1) &- 1) / 1_000_000)
            let earliest = highest &+ Self.samplesPerFrame &- capSamples
            let frames = (UInt64(bitPattern: earliest &- position) &+ UInt64(Self.samplesPerFrame) - 1) / UInt64(Self.samplesPerFrame)
            let newPlayout = position &+ Int64(frames) &* Self.samplesPerFrame
            for key in packets.keys where key < newPlayout {
                packets[key] = nil
                framesDropped += 1
            }
            playout = newPlayout
        }
    }

    /// Whether the buffer holds more than two frames beyond its target (the delay of a
    /// queue on the path that has drained since): a quiet frame may then be skipped.
    public var isAboveTarget: Bool {
        started && holdsExcess(over: targetDelay)
    }

    /// More than two frames buffered beyond `target`: what both the skipping of quiet frames
    /// and the once-a-second drop act on.
    private func holdsExcess(over target: UInt64) -> Bool {
        bufferedDelay > target + 2 * Self.frameNanoseconds
    }

    /// Whether the packet that plays next is here (a skipped frame is only worth it when
    /// the one after it can play in its place).
    public var nextPacketIsHere: Bool {
        guard let playout else { return false }
        return packets[playout] != nil
    }

    /// The caller decoded a frame and skipped it unplayed to shed delay.
    public mutating func frameSkipped() {
        framesDropped += 1
        ticksAboveTarget = 0
    }

    /// The action for the next 20 ms of playout.
    public mutating func nextAction() -> AudioPlayoutAction {
        ticksSinceLoss += 1
        guard let position = playout else { return hasPlayed ? conceal() : .silence }
        let target = targetDelay
        if !started {
            // Fill to the target before the first packet (of a talkspurt) plays.
            guard bufferedDelay >= target else { return hasPlayed ? conceal() : .silence }
            started = true
            hasPlayed = true
        }
        // Too much delay for a second: drop one frame.
        if holdsExcess(over: target) {
            ticksAboveTarget += 1
            if ticksAboveTarget >= 50, packets[position] != nil {
                ticksAboveTarget = 0
                packets[position] = nil
                framesDropped += 1
                return advance(from: position + Self.samplesPerFrame)
            }
        } else {
            ticksAboveTarget = 0
        }
        return advance(from: position)
    }

    private mutating func advance(from position: Int64) -> AudioPlayoutAction {
        if let packet = packets.removeValue(forKey: position) {
            playout = position &+ Self.samplesPerFrame
            lastPlayedTimestamp = UInt32(truncatingIfNeeded: position)
            return .decode(packet)
        }
        let highest = timestamps.highest ?? position
        if highest < position {
            // Underrun: nothing newer has arrived. Conceal and hold the position, so a
            // packet that is only late still plays and the delay grows by what it waited.
            playout = position
            inUnderrun = true
            heldTicks += 1
            return conceal()
        }
        playout = position + Self.samplesPerFrame
        ticksSinceLoss = 0
        if let next = packets[position + Self.samplesPerFrame] {
            framesRecovered += 1
            return .recoverWithFEC(nextPacket: next)
        }
        return conceal()
    }

    private mutating func conceal() -> AudioPlayoutAction {
        framesConcealed += 1
        ticksSinceLoss = 0
        return .conceal
    }
}
