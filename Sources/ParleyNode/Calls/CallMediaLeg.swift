import ParleyWire

/// The media of an answered call, as the call manager drives it: the two-way media
/// session of the media engine behind a seam, so signalling can be tested on its own.
protocol CallMediaLeg: AnyObject, Sendable {
    /// One datagram from the peer (UDP or link); returns at once. `onAuthenticated` runs
    /// once it passed SRTP authentication (nil: nobody needs to know).
    func receive(_ datagram: [UInt8], onAuthenticated: (@Sendable () -> Void)?)
    /// Stop or resume sending a kind (no packets of it while stopped).
    func setSending(_ kind: CallMediaOffer.Kind, _ on: Bool)
    /// Stop or resume playing a kind we receive.
    func setReceiving(_ kind: CallMediaOffer.Kind, _ on: Bool)
    /// The most this leg's video may use (its share of a group call's uplink).
    func setVideoBitrateLimit(_ bitrate: Int)
    /// Live statistics per stream.
    func statistics() -> CallStatistics
    /// Monotonic nanoseconds of the last authenticated packet from the peer.
    var lastReceivedNanoseconds: UInt64? { get }
    /// The peer said goodbye (RTCP BYE) on every stream we receive from it.
    var peerSaidGoodbye: Bool { get }
    /// Says goodbye (RTCP BYE), stops the media threads, completes the sinks' files.
    func stop()
}

/// What starting a call's media needs.
struct CallMediaRequest: Sendable {
    var local: CallDescription
    var remote: CallDescription
    /// The call's devices, shared by its legs.
    var hub: CallDeviceHub
    /// The peer's contact ID (grouped) and name (a later leg's video file is named after it).
    var peerID: String
    var peerName: String
    var settings: CallSettings
    var transport: CallTransport
    /// A device could not be used: an input (that kind goes on receive-only) or an output
    /// (that kind is received but played nowhere).
    var deviceError: @Sendable (CallMediaOffer.Kind, _ input: Bool, String) -> Void
}

/// Starts the media of an answered call.
typealias CallMediaFactory = @Sendable (CallMediaRequest) throws -> any CallMediaLeg

extension CallDescription {
    /// Whether this side sends and receives `kind`, given the other side's description.
    func flow(_ kind: CallMediaOffer.Kind, with other: CallDescription) -> CallMediaOffer.Direction? {
        guard let mine = offer(kind), let theirs = other.offer(kind) else { return nil }
        return CallMediaOffer.Direction(send: mine.direction.send && theirs.direction.receive,
                                        receive: mine.direction.receive && theirs.direction.send)
    }
}
