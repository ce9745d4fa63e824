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
/// - **Otherwise** the estimate climbs: 5 % per second near the rate at which the path
///   was last overused (±30 %: probing the bottleneck gently), 25 % per second away from
///   it, or after 2 s above it with no sign of a queue (a path that widened is found again
///   within seconds), up to 1.5 times
///   what arrives (so it follows a sender that sends less than it may), and never below
///   `minimum`.
///
/// The first two seconds of a stream are a warm-up without overuse (a sender's first
/// frames come late and in bursts). A rate last overused five seconds ago is forgotten:
/// the estimate climbs fast again.
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
    /// What arrived when the path was last overused.
    private var overusedAt: UInt64?
    /// Since when the estimate has been above `overusedAt`.
    private var aboveSince: UInt64?

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
            overusedAt = incoming
            lastDecrease = now
            overuses += 1
            dropPending = true
        } else if let current = estimate, slope <= overuseSlope / 2 {
            // Not while the queue still drains after a drop (slope between the two): hold.
            // Two seconds above the last overused rate without a sign of a queue: that
            // bottleneck is gone, climb fast again.
            // So is one not overused for five seconds.
            if let last = lastDecrease, now >= last, now - last >= 5_000_000_000 { overusedAt = nil }
            if let capacity = overusedAt, current > capacity {
                let since = aboveSince ?? now
                aboveSince = since
                if now >= since, now - since >= 2_000_000_000 { overusedAt = nil }
            } else {
                aboveSince = nil
            }
            let near = overusedAt.map { Double(current) >= 0.7 * Double($0) && Double(current) <= 1.3 * Double($0) } ?? false
            let grown = UInt64(min(Double(current) * (1 + (near ? 0.05 : 0.25) * min(elapsed, 1)), 1e12))
            // A sender that sends less than it may does not pull the estimate down.
            estimate = min(max(current, min(grown, incoming * 3 / 2 + 10_000)), maximum)
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
