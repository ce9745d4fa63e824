/// The bit rate a video sender aims at: its configured rate, lowered to what the receiver
/// estimates the path carries for the video (RTCP REMB; the receiver measures the video
/// alone, so audio's share is left out of it — audio has priority and keeps its rate), and
/// lowered again when the receiver reports heavy loss (RTCP RR). Below
/// 150 kb/s it also halves the frame rate, below 80 kb/s it shows a third of the frames,
/// so each frame keeps enough bits to be worth showing.
///
/// Loss alone is a weak sign of congestion (Wi-Fi loses packets at random, and NACK
/// recovers them), so it acts only above 15 %: the rate drops by half the loss fraction
/// (not again on the next report, which still covers the time before the cut); under 5 %
/// the loss-based limit climbs back a quarter per report, leaving the fine control to the
/// receiver's delay-based estimate. No I/O.
public struct SendRateController: Sendable {
    /// The configured rate, or the share of the uplink this stream gets (a group call's
    /// sender splits its budget between its peers).
    public private(set) var maximum: Int
    public let minimum: Int
    public private(set) var receiverEstimate: Int?
    private var lossLimit: Int
    private var cutSinceLastReport = false

    public init(maximum: Int, minimum: Int = 50_000) {
        self.maximum = max(maximum, minimum)
        self.minimum = minimum
        lossLimit = self.maximum
    }

    /// The rate to encode at now (bits per second).
    public var target: Int {
        // 10 % under the estimate: room for the encoder's overshoot and for retransmissions.
        let fromEstimate = receiverEstimate.map { $0 / 10 * 9 } ?? maximum
        return max(minimum, min(maximum, fromEstimate, lossLimit))
    }

    /// Show one frame in this many (1, 2 or 3) at the current target.
    public var frameRateDivisor: Int {
        switch target {
        case ..<80_000: 3
        case ..<150_000: 2
        default: 1
        }
    }

    /// A new ceiling (at least `minimum`): the loss-based limit comes down with it.
    public mutating func setMaximum(_ bitrate: Int) {
        maximum = max(bitrate, minimum)
        lossLimit = min(lossLimit, maximum)
    }

    /// The receiver's estimate of the path (REMB), bits per second.
    public mutating func receiverEstimated(_ bitrate: UInt64) {
        receiverEstimate = Int(min(bitrate, UInt64(Int.max / 2)))
    }

    /// A receiver report's loss fraction (0…1).
    public mutating func lossReported(_ fraction: Double) {
        guard fraction.isFinite else { return }
        if fraction > 0.15 {
            // Reports that still describe the time before the last cut do not cut again.
            guard !cutSinceLastReport else {
                cutSinceLastReport = false
                return
            }
            lossLimit = max(minimum, Int(Double(target) * (1 - 0.5 * min(fraction, 1))))
            cutSinceLastReport = true
        } else {
            cutSinceLastReport = false
            if fraction < 0.05 { lossLimit = min(maximum, lossLimit + lossLimit / 4 + 10_000) }
        }
    }
}
