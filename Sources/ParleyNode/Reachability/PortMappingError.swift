import ParleyCore

/// Why the router did not map the node's port. Each says what went wrong and what to do;
/// none is fatal: the node works without a mapping (contacts then need another way in).
public enum PortMappingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No IPv4 default route: there is no router to ask (UPnP is not tried either).
    case noDefaultRoute
    /// NAT-PMP: no socket to ask the gateway with.
    case noGateway(String)
    /// NAT-PMP: the gateway did not answer in time (it does not speak NAT-PMP).
    case noAnswer(PortMappingMethod, seconds: Int)
    /// The router turned the request away at once (NAT-PMP: port unreachable, a wrong answer).
    case notSupported(PortMappingMethod, String)
    /// UPnP-IGD: no Internet gateway device answered the discovery.
    case noRouterFound(seconds: Int)
    /// The router answered but refused (its error code and words).
    case refused(PortMappingMethod, code: Int, detail: String)
    /// The router did not say which external address it has.
    case noExternalAddress(PortMappingMethod, String)

    public var description: String {
        switch self {
        case .noDefaultRoute:
            "no default route, so no router to ask (a port mapping is for a machine behind a router)"
        case .noGateway(let detail):
            "NAT-PMP: cannot ask the gateway (\(detail))"
        case .noAnswer(let method, let seconds):
            "\(method): the router did not answer within \(seconds) s (it may not support \(method), or has it turned off)"
        case .notSupported(let method, let detail):
            "\(method): the router does not take \(method) requests (\(detail))"
        case .noRouterFound(let seconds):
            "UPnP-IGD: no Internet gateway device answered on the local network within \(seconds) s (UPnP may be off on the router)"
        case .refused(let method, let code, let detail):
            "\(method): the router refused the mapping (error \(code): \(detail)); allow it in the router's settings or forward the port by hand"
        case .noExternalAddress(let method, let detail):
            "\(method): the router gave no external address (\(detail)); it may not be connected to the Internet"
        }
    }

    /// What to do about it, said once after the last method failed.
    static let advice = "forward the listen port by hand on the router, or set port_mapping = off to stop trying"
}
