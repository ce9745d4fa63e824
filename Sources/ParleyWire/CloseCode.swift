/// Why a link is being closed. Unknown codes are preserved as-is.
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit code.
    public var rawValue: UInt16

    /// Wraps a code (known or not).
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Ordinary end of the link.
    public static let normal = CloseCode(rawValue: 1)
    /// The peer sent a malformed, oversized or unexpected frame.
    public static let protocolError = CloseCode(rawValue: 2)
    /// No HELLO arrived in time.
    public static let handshakeTimeout = CloseCode(rawValue: 3)
    /// No protocol version both sides accept.
    public static let unsupportedVersion = CloseCode(rawValue: 4)
    /// The peer is not a contact and sent something other than CONTACT_REQUEST.
    public static let notAContact = CloseCode(rawValue: 5)
    /// The peer is blocked.
    public static let blocked = CloseCode(rawValue: 6)
    /// Another link to the same peer is kept instead of this one.
    public static let duplicateLink = CloseCode(rawValue: 7)
    /// The node is shutting down.
    public static let shuttingDown = CloseCode(rawValue: 8)
    /// Nothing was received for too long.
    public static let idleTimeout = CloseCode(rawValue: 9)
    /// The peer sent too much too fast.
    public static let rateLimited = CloseCode(rawValue: 10)

    /// Name of a known code (e.g. `protocolError`), else `code N`.
    public var description: String {
        switch self {
        case .normal: "normal"
        case .protocolError: "protocolError"
        case .handshakeTimeout: "handshakeTimeout"
        case .unsupportedVersion: "unsupportedVersion"
        case .notAContact: "notAContact"
        case .blocked: "blocked"
        case .duplicateLink: "duplicateLink"
        case .shuttingDown: "shuttingDown"
        case .idleTimeout: "idleTimeout"
        case .rateLimited: "rateLimited"
        default: "code \(rawValue)"
        }
    }
}
