/// Datagrams on their way through a simulated network, each with the time it arrives:
/// the stream halves' tests send into it and deliver what is due at each playout tick.
struct SimulatedPath {
    private var inFlight: [(arrival: UInt64, datagram: [UInt8])] = []

    mutating func send(_ datagram: [UInt8], arrivingAt arrival: UInt64) {
        inFlight.append((arrival, datagram))
    }

    /// Hands `receive` every datagram due by `now`, in the order they arrive, with its arrival time.
    mutating func deliver(until now: UInt64, to receive: ([UInt8], UInt64) -> Void) {
        inFlight.sort { $0.arrival < $1.arrival }
        while let first = inFlight.first, first.arrival <= now {
            receive(first.datagram, first.arrival)
            inFlight.removeFirst()
        }
    }
}
