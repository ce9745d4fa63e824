/// What a stream's send loop needs of the sending half of any stream (audio or video),
/// besides encoding its frames.
public protocol MediaStreamSending: AnyObject {
    /// Applies RTCP that came back (at `arrival`, for the RTT); returns the datagrams to
    /// send again (a video stream's answer to a NACK).
    @discardableResult
    func receiveFeedback(_ datagram: [UInt8], arrival: NTPTimestamp, nowNanoseconds now: UInt64) -> [[UInt8]]
    /// The RTCP BYE that ends the stream.
    func goodbye(nowNanoseconds now: UInt64) throws -> [UInt8]
    func statistics(nowNanoseconds now: UInt64) -> SentStreamStatistics
}
