/// Why a call's media session could not be set up.
public enum CallMediaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The negotiated plan cannot be run as it is (what is wrong, and what to change).
    case invalidPlan(String)

    public var description: String {
        switch self {
        case let .invalidPlan(reason): "invalid call media plan: \(reason)"
        }
    }
}
