/// Moves the playout's phase closer to the packets' arrivals. With nothing to wait for
/// beyond the frame in hand (one frame buffered, a calm path), each packet still waits for
/// the next playout tick: up to 20 ms, 10 on average, set by where the speaker's clock
/// happens to fall against the sender's. When over a whole `window` of ticks every packet
/// played waited more than `margin`, the playout may come `advance` sooner: the caller leaves
/// that much out of a quiet frame (the speaker then holds as much as before) and ticks that
/// much earlier from then on. A packet that did not wait (late, lost, or more buffered)
/// starts the window again, so on a jittery path nothing moves. Pure; times in nanoseconds.
public struct PlayoutPhase: Sendable {
    /// The wait each packet keeps, for the path's jitter and the playout thread's wake-ups.
    public let margin: UInt64
    /// Ticks a wait must have held before the phase moves.
    public let window: Int
    /// The most moved at once.
    public static let maximumAdvance: UInt64 = 10_000_000

    private var ticks = 0
    private var least = UInt64.max

    public init(margin: UInt64 = 4_000_000, window: Int = 50) {
        self.margin = margin
        self.window = max(1, window)
    }

    /// One playout tick: how long the packet played had waited since it arrived (nil when
    /// the tick played no packet that had just arrived: several buffered, concealed, silence).
    public mutating func ticked(waited: UInt64?) {
        guard let waited else {
            ticks = 0
            least = .max
            return
        }
        ticks += 1
        least = min(least, waited)
    }

    /// How much sooner the playout may come now (nanoseconds); taking it starts a new window.
    public mutating func advance() -> UInt64 {
        guard ticks >= window, least > margin else { return 0 }
        let step = min(least - margin, Self.maximumAdvance)
        ticks = 0
        least = .max
        return step
    }
}
