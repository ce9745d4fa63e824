import ParleyCore
import ParleyWire

/// Why a peer link could not be made or was closed.
public enum LinkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing arrived for the dead-link interval.
    case peerSilent
    /// The peer's first frame was not HELLO.
    case expectedHello
    /// The peer did not finish TLS and HELLO in time.
    case helloTimeout
    /// The peer presented a key whose ID is not the one dialled: possibly an impersonation.
    case wrongPeer(expected: ContactID, presented: ContactID?)
    /// The TLS handshake failed (bad certificate, refused, not TLS).
    case handshakeFailed(String)
    /// No connection could be made to the address.
    case unreachable(address: String, detail: String)
    /// The peer speaks no protocol version we accept.
    case unsupportedVersion(peer: UInt16)
    /// The peer closed the link, saying why.
    case closedByPeer(CloseReason)

    public var description: String {
        switch self {
        case .peerSilent: "the peer sent nothing for too long; the link is considered dead"
        case .expectedHello: "the peer's first frame was not HELLO"
        case .helloTimeout: "the peer did not complete the TLS and HELLO handshake in time"
        case .wrongPeer(let expected, let presented):
            "possible impersonation: expected \(expected.grouped) but the peer presented \(presented?.grouped ?? "no valid key")"
        case .handshakeFailed(let detail): "TLS handshake failed: \(detail)"
        case .unreachable(let address, let detail): "cannot connect to \(address): \(detail)"
        case .unsupportedVersion(let version): "the peer speaks protocol version \(version), which is not supported"
        case .closedByPeer(let reason): "the peer closed the link (\(reason.code)): \(reason.reason)"
        }
    }
}
