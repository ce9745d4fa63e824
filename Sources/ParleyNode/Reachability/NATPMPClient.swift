import CNATPMP
import Foundation
import ParleyCore
#if canImport(Glibc)
import Glibc
#endif

/// Blocking calls into a router, one method each: run only on ``PortMappingService``'s own
/// queue (a thread outside Swift's cooperative pool), never concurrently.
protocol PortMappingClient: AnyObject, Sendable {
    var method: PortMappingMethod { get }
    /// Maps TCP `externalPort` on the router to `internalPort` here for `lifetime`.
    func map(internalPort: Int, externalPort: Int, lifetime: Duration) throws(PortMappingError) -> PortMapping
    /// Removes a mapping this client made.
    func unmap(_ mapping: PortMapping) throws(PortMappingError)
}

/// NAT-PMP (RFC 6886) through libnatpmp: the default gateway is asked for its external
/// address, then for the mapping. libnatpmp retries on its own timer (250 ms, doubling);
/// this client waits on its socket with `poll` and gives up after ``timeout``.
final class NATPMPClient: PortMappingClient, @unchecked Sendable {
    let method = PortMappingMethod.natPMP
    /// How long one request may take, retries included.
    let timeout: Duration

    init(timeout: Duration = .seconds(2)) {
        self.timeout = timeout
    }

    func map(internalPort: Int, externalPort: Int, lifetime: Duration) throws(PortMappingError) -> PortMapping {
        var session = try open()
        defer { closenatpmp(&session) }
        guard sendpublicaddressrequest(&session) >= 0 else { throw .noGateway("cannot send to the gateway") }
        var response = try answer(on: &session)
        var raw = in_addr(s_addr: parley_natpmp_public_address(&response))
        guard raw.s_addr != 0, let host = Self.text(&raw) else {
            throw .noExternalAddress(method, "the gateway answered 0.0.0.0")
        }
        let seconds = UInt32(clamping: lifetime.components.seconds)
        guard sendnewportmappingrequest(&session, parley_natpmp_protocol_tcp(), UInt16(clamping: internalPort),
                                        UInt16(clamping: externalPort), seconds) >= 0 else {
            throw .noGateway("cannot send to the gateway")
        }
        response = try answer(on: &session)
        let granted = parley_natpmp_mapping_lifetime(&response)
        let port = Int(parley_natpmp_mapped_public_port(&response))
        guard port != 0 else { throw .refused(method, code: 0, detail: "no public port given") }
        return PortMapping(method: method, externalHost: host, externalPort: port, internalPort: internalPort,
                           lifetime: .seconds(Int(granted)))
    }

    func unmap(_ mapping: PortMapping) throws(PortMappingError) {
        var session = try open()
        defer { closenatpmp(&session) }
        // Lifetime 0 deletes (RFC 6886 3.4); the external port is ignored then.
        guard sendnewportmappingrequest(&session, parley_natpmp_protocol_tcp(), UInt16(clamping: mapping.internalPort),
                                        0, 0) >= 0 else {
            throw .noGateway("cannot send to the gateway")
        }
        _ = try answer(on: &session)
    }

    private func open() throws(PortMappingError) -> natpmp_t {
        var session = natpmp_t()
        let result = initnatpmp(&session, 0, 0)
        guard result != -3 else { throw .noDefaultRoute }  // NATPMP_ERR_CANNOTGETGATEWAY
        guard result == 0 else { throw .noGateway(Self.words(result)) }
        return session
    }

    /// Waits for the answer to the request just sent (libnatpmp re-sends it on its timer).
    private func answer(on session: inout natpmp_t) throws(PortMappingError) -> natpmpresp_t {
        let deadline = ContinuousClock.now + timeout
        while true {
            var response = natpmpresp_t()
            let result = readnatpmpresponseorretry(&session, &response)
            if result == 0 { return response }
            guard result == parley_natpmp_try_again() else {
                if result <= -49 && result >= -53 {  // the gateway's result codes 2-4 (NATPMP_ERR_NOTAUTHORIZED…), 0 other
                    throw .refused(method, code: Int(-result - 49), detail: Self.words(result))
                }
                throw .notSupported(method, Self.words(result))
            }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw .noAnswer(method, seconds: Int(timeout.components.seconds)) }
            var retry = timeval()
            let untilRetry = getnatpmprequesttimeout(&session, &retry) == 0
                ? Int(retry.tv_sec) * 1000 + Int(retry.tv_usec) / 1000 : 250
            let milliseconds = min(max(untilRetry, 1), Int(left.components.seconds) * 1000
                                   + Int(left.components.attoseconds / 1_000_000_000_000_000) + 1)
            var descriptor = pollfd(fd: session.s, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(milliseconds))
        }
    }

    private static func text(_ address: inout in_addr) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func words(_ code: Int32) -> String {
        strnatpmperr(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
