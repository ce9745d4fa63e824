/// Estimates at a video receiver the bit rate the path from the sender carries, from the
/// delay of the frames (a queue building up at a bottleneck makes frames arrive later and
/// later than they were sent), for RTCP REMB. Delay-based like Google Congestion Control,
/// simplified:
///
/// - **Signal**: for each frame (RTP timestamp) the arrival of its last packet against its
///   send time: the one-way delay up to a constant. A trend line over the last 20 frames
///   (at most 0.7 s of them, at least 8) gives how fast the delay grows; random jitter
///   averages out, a filling queue does not.
/// - **Overuse** (delay growing faster than 30 ms per second, and still growing, for three
///   frames in a row: one large or late frame — a keyframe, a slow encode — lifts the
///   trend for a moment on a path with no queue at all, but the frames after it come back
///   down): the estimate drops to 85 %
///   of what arrived over the last half second, at most every 200 ms, then holds while
///   the queue drains.
/// - **Loss** is left to the sender (RTCP receiver reports, see `SendRateController`):
///   random loss on a radio link is no sign of a queue, and NACK repairs it; cutting the
///   rate for it here would starve a call on Wi-Fi.
/// - **Otherwise** the estimate climbs (`climbRate`): 15 % per second back towards what
///   arrived when the path was last overused (the ceiling), 5 % over the last 5 % below it,
///   up to 1.5 times what arrives (so it follows a sender that sends less than it may),
///   and never below `minimum`.
/// - **Past the ceiling is a probe.** A token bucket on the path (a shaped uplink) passes
///   its burst at full speed, so a probe is seen only once it has overshot, and its queue
///   then delays the sound too. The estimate waits at the ceiling until the owner says the
///   audio playout holds a reserve for that queue (`wantsProbeReserve` / `probeReady`; at
///   most 3 s), then climbs 12 % a second up to 1.3 times the ceiling and 25 % beyond. An
///   overuse ends the probe (a new ceiling); twice the ceiling arriving, or 10 s without
///   overuse, shows the path wider: the ceiling is forgotten and the climb goes on at
///   40 % a second. So does a standing queue that vanishes from one frame to the next
///   (`noteQueue`): a queue drains a few ms per frame, unless the bottleneck widened.
///
/// The first two seconds of a stream are a warm-up without overuse (a sender's first
/// frames come late and in bursts).
///
/// There is no estimate (no limit) until the path is first overused: a call starts at the
/// rate it is configured for rather than ramping up to it. From then on an estimate is due
/// every 500 ms, and at once after a drop. No I/O; times in nanoseconds.
public struct ReceiveBandwidthEstimator: Sendable {
    public let minimum: UInt64
    public let maximum: UInt64
    /// Delay growth (seconds per second) above which the path counts as overused.
    public let overuseSlope: Double
    /// The current estimate (bits per second); nil (no limit) until the path was first overused.
    public private(set) var estimate: UInt64?
    /// The delay trend of the last frames (seconds per second).
    public private(set) var slope: Double = 0
    public private(set) var overuses = 0
    /// How many frames in a row the trend has been above `overuseSlope`.
    private var framesOverused = 0

    private var timestamps = RTPTimestampUnwrapper()
    private var currentFrame: (timestamp: Int64, lastArrival: UInt64)?
    private var firstFrame: (timestamp: Int64, arrival: UInt64)?
    /// (arrival seconds, smoothed relative delay seconds) of the last frames.
    private var points: [(Double, Double)] = []
    private var smoothedDelay: Double?
    private var arrivals: [(time: UInt64, bytes: Int)] = []
    private var sequences = RTPSequenceUnwrapper()
    private var highestSequence: Int64?
    private var firstArrival: UInt64?
    private var lastUpdate: UInt64?
    private var lastDecrease: UInt64?
    private var lastSent: (time: UInt64, bitrate: UInt64)?
    private var dropPending = false
    /// What arrived when the path was last overused, until a probe shows the path wider:
    /// a climb past it is a probe.
    public private(set) var probeCeiling: UInt64?
    private var probe = ProbeState.none
    /// A probe showed the path wider than the rate last overused: the climb is fast.
    private var widened = false
    /// (arrival, delay) of the frames of the last 10 s, in seconds: the lowest delay is the
    /// path's without a queue.
    private var recentDelays: [(Double, Double)] = []
    /// Frames in a row whose queue (delay over that lowest) was 40 ms or more.
    private var queuedFrames = 0
    /// Send time and delay of the last frame (seconds).
    private var lastFrame: (sent: Double, delay: Double)?

    /// Whether a climb past the rate last overused may begin now (the owner's audio
    /// playout holds the reserve that a probe's queue needs; see `wantsProbeReserve`).
    /// True by default: a stream without such an owner probes when its estimate says so.
    public var probeReady = true

    /// A probe past the rate last overused is due or under way: the receiver's audio
    /// should hold a reserve for the queue it may build (a token bucket on the path
    /// passes its burst first, so a probe is seen only once it has overshot).
    public var wantsProbeReserve: Bool { probe != .none }

    enum ProbeState: Equatable {
        case none
        /// Held at the ceiling since then, waiting for `probeReady`.
        case waiting(since: UInt64)
        case probing(since: UInt64)
    }
    /// How long a probe waits for the reserve before it goes anyway (speech or music with
    /// no pause).
    static let probeWait: UInt64 = 3_000_000_000
    /// A probe without overuse for this long found a wider path.
    static let probeLength: UInt64 = 10_000_000_000

    public static let window = 20
    /// Frames the trend keeps however long ago they came, and the span beyond which older
    /// frames leave it.
    static let minimumWindow = 8
    static let windowSeconds = 0.7
    /// Frames in a row over the threshold that make an overuse.
    static let overuseFrames = 3
    static let rateWindow: UInt64 = 500_000_000
    static let warmUp: UInt64 = 2_000_000_000

    public init(minimum: UInt64 = 50_000, maximum: UInt64 = 20_000_000, overuseSlope: Double = 0.03) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
        self.overuseSlope = overuseSlope
    }

    /// What arrived over the last half second (bits per second).
    public func incomingRate(nowNanoseconds now: UInt64) -> UInt64 {
        let bytes = arrivals.reduce(0) { $0 + (now >= $1.time && now - $1.time <= Self.rateWindow ? $1.bytes : 0) }
        return UInt64(bytes) * 8 * 1_000_000_000 / Self.rateWindow
    }

    /// One RTP packet of the stream, `bytes` long, with its sequence number and 90 kHz timestamp.
    public mutating func packetArrived(sequenceNumber: UInt16, timestamp: UInt32, bytes: Int, nowNanoseconds now: UInt64) {
        if firstArrival == nil { firstArrival = now }
        let sequence = sequences.unwrap(sequenceNumber)
        arrivals.append((now, max(0, bytes)))
        while let first = arrivals.first, now > first.time, now - first.time > Self.rateWindow { arrivals.removeFirst() }
        if arrivals.count > 4096 { arrivals.removeFirst(arrivals.count - 4096) }
        // A packet older than the newest one seen is a retransmission (or reordered): it
        // counts as bytes that arrived but says nothing of the queue (a copy comes a round
        // trip late by design).
        guard sequence > highestSequence ?? .min else { return }
        highestSequence = sequence
        let unwrapped = timestamps.unwrap(timestamp)
        guard let current = currentFrame else {
            currentFrame = (unwrapped, now)
            return
        }
        if unwrapped == current.timestamp {
            currentFrame = (unwrapped, max(current.lastArrival, now))
        } else if unwrapped > current.timestamp {
            frameCompleted(timestamp: current.timestamp, arrival: current.lastArrival)
            currentFrame = (unwrapped, now)
        }
        update(nowNanoseconds: now)
    }

    /// The relative delay of a frame: its arrival minus its send time, both from the first frame.
    private mutating func frameCompleted(timestamp: Int64, arrival: UInt64) {
        guard let first = firstFrame else {
            firstFrame = (timestamp, arrival)
            return
        }
        let sent = Double(timestamp &- first.timestamp) / 90000
        let arrived = Double(arrival &- first.arrival) / 1e9
        let delay = arrived - sent
        noteQueue(delay: delay, sent: sent, arrived: arrived)
        let previous = smoothedDelay
        let smoothed = previous.map { 0.4 * $0 + 0.6 * delay } ?? delay
        smoothedDelay = smoothed
        points.append((arrived, smoothed))
        if points.count > Self.window { points.removeFirst(points.count - Self.window) }
        // At a low frame rate (a sender dropping frames to keep to a narrow path) 20 frames
        // span seconds and a filling queue would be seen that late: the trend keeps to the
        // last 0.7 s, but never fewer than 8 frames.
        while points.count > Self.minimumWindow, let oldest = points.first, arrived - oldest.0 > Self.windowSeconds {
            points.removeFirst()
        }
        slope = Self.trend(points)
        // A queue keeps growing; a sender that was late with one frame (a slow encode, a
        // keyframe) catches up on the next ones, and its delay falls again.
        framesOverused = slope > overuseSlope && smoothed > (previous ?? smoothed) ? framesOverused + 1 : 0
    }

    /// A queue served at a steady rate drains at most as fast as time passes (when nothing
    /// more is sent): from one frame to the next the delay falls by at most the time between
    /// their sending. One that stood at 40 ms or more for three frames and is gone by the
    /// next (15 ms or less) faster than that was emptied by a faster bottleneck: the path
    /// widened (a shaped uplink lifted).
    private mutating func noteQueue(delay: Double, sent: Double, arrived: Double) {
        recentDelays.append((arrived, delay))
        while let oldest = recentDelays.first, arrived - oldest.0 > 10 || recentDelays.count > 1024 { recentDelays.removeFirst() }
        let floor = recentDelays.reduce(delay) { min($0, $1.1) }
        let queue = delay - floor
        if queue <= 0.015, queuedFrames >= 3, probeCeiling != nil, let last = lastFrame,
           last.delay - delay > (sent - last.sent) + 0.010 {
            probeCeiling = nil
            probe = .none
            widened = true
        }
        lastFrame = (sent, delay)
        queuedFrames = queue >= 0.040 ? queuedFrames + 1 : 0
    }

    /// Least-squares slope of delay over time.
    static func trend(_ points: [(Double, Double)]) -> Double {
        guard points.count >= 8 else { return 0 }
        let n = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.0 } / n, meanY = points.reduce(0) { $0 + $1.1 } / n
        var numerator = 0.0, denominator = 0.0
        for (x, y) in points {
            numerator += (x - meanX) * (y - meanY)
            denominator += (x - meanX) * (x - meanX)
        }
        guard denominator > 0, numerator.isFinite else { return 0 }
        return numerator / denominator
    }

    private mutating func update(nowNanoseconds now: UInt64) {
        guard let firstArrival, now >= firstArrival, now - firstArrival >= Self.rateWindow else { return }
        let incoming = incomingRate(nowNanoseconds: now)
        let elapsed = lastUpdate.map { now >= $0 ? Double(now - $0) / 1e9 : 0 } ?? 0
        lastUpdate = now
        // The first two seconds are a warm-up: a sender's first frames (its encoder starting,
        // a source filling) come late and in bursts, which is no queue.
        let warm = now - firstArrival >= Self.warmUp
        if framesOverused >= Self.overuseFrames, warm {
            guard lastDecrease.map({ now >= $0 && now - $0 >= 200_000_000 }) ?? true else { return }
            estimate = min(max(min(estimate ?? .max, incoming * 85 / 100), minimum), maximum)
            probeCeiling = incoming
            probe = .none
            widened = false
            lastDecrease = now
            overuses += 1
            dropPending = true
        } else if let current = estimate, slope <= overuseSlope / 2 {
            // Not while the queue still drains after a drop (slope between the two): hold.
            let rate = Self.climbRate(current, ceiling: probeCeiling, widened: widened)
            let grown = UInt64(min(Double(current) * (1 + rate * min(elapsed, 1)), 1e12))
            // The climb stops at 1.5 × what arrives (it does not run away from a sender that
            // sends less than it may) or at 95 % of the ceiling, which the path carried, if
            // that is more (an encoder sends well under its target for a while after a drop);
            // a sender that sends less never pulls the estimate down.
            let room = max(incoming * 3 / 2 + 10_000, (probeCeiling ?? 0) / 100 * 95)
            estimate = gated(min(max(current, min(grown, room)), maximum), from: current, incoming: incoming, nowNanoseconds: now)
        }
    }

    /// How fast the estimate climbs (a fraction per second) from `current`, given the rate
    /// last overused: back to it quickly (the path carried it), the last 5 % below it
    /// gently, past it (a probe) at 12 % a second up to 1.3 times it — a token bucket's
    /// burst passes a probe unseen, and this spends it before the rate is far past the
    /// bottleneck — and beyond at 25 %; 40 % once a probe showed the path wider.
    static func climbRate(_ current: UInt64, ceiling: UInt64?, widened: Bool) -> Double {
        guard let ceiling else { return widened ? 0.4 : 0.25 }
        let ratio = Double(current) / Double(max(ceiling, 1))
        switch ratio {
        case ..<0.95: return 0.15
        case ..<1: return 0.05
        case ..<1.3: return 0.12
        default: return 0.25
        }
    }

    /// `next`, or the ceiling while a probe past it waits for the receiver's reserve.
    private mutating func gated(_ next: UInt64, from current: UInt64, incoming: UInt64, nowNanoseconds now: UInt64) -> UInt64 {
        guard let ceiling = probeCeiling else { return next }
        if case let .probing(since) = probe, incoming >= 2 * ceiling || now < since || now - since >= Self.probeLength {
            // Twice the rate last overused arrived over half a second (more than a token
            // bucket's burst could pass), or no overuse for 10 s: the path is wider now.
            probeCeiling = nil
            probe = .none
            widened = true
            return next
        }
        guard next > ceiling else { return next }
        switch probe {
        case .probing:
            return next
        case .none:
            if probeReady {
                probe = .probing(since: now)
                return next
            }
            probe = .waiting(since: now)
            return max(current, ceiling)
        case let .waiting(since):
            if probeReady || now < since || now - since >= Self.probeWait {
                probe = .probing(since: now)
                return next
            }
            return max(current, ceiling)
        }
    }

    /// The estimate to send now (bits per second), if one is due: every 500 ms, at once
    /// after a drop.
    public mutating func estimateDue(nowNanoseconds now: UInt64) -> UInt64? {
        guard let estimate else { return nil }
        let due = dropPending || lastSent.map { now < $0.time || now - $0.time >= 500_000_000 } ?? true
        guard due else { return nil }
        dropPending = false
        lastSent = (now, estimate)
        return estimate
    }
}
