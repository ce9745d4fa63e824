/// A device of a call that failed or ended: which kind, whether it was what we capture
/// (a source: that kind stops sending for the rest of the call) or what we play or record
/// into (a sink: that kind is received but played nowhere), and what happened.
public struct CallMediaDeviceError: Sendable, Equatable, CustomStringConvertible {
    public enum Role: Sendable, Equatable { case source, sink }

    public var kind: CallMediaKind
    public var role: Role
    public var message: String

    public init(kind: CallMediaKind, role: Role, message: String) {
        self.kind = kind
        self.role = role
        self.message = message
    }

    public var description: String { message }
}
