/// A frame that decoded well but breaks the protocol's rules for its context:
/// an offset past the offered size, an acknowledgement of bytes never sent.
///
/// Thrown by the link services; the session closes that link with
/// `CLOSE(protocolError)`, logs the reason and stores nothing of the frame.
struct PeerViolation: Error, Sendable, CustomStringConvertible {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { reason }
}
