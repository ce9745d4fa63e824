import CMiniUPnPc
import Foundation
import ParleyCore

/// UPnP-IGD through libminiupnpc: SSDP discovery of the router (blocking for up to
/// ``discoveryDelay``), then SOAP calls to its WANIPConnection service. The router found
/// is kept for renewals and the removal; a call that fails makes the next one discover
/// again. Run only on ``PortMappingService``'s queue.
final class UPnPClient: PortMappingClient, @unchecked Sendable {
    let method = PortMappingMethod.upnp
    let discoveryDelay: Duration
    /// The description the router shows next to the mapping.
    static let mappingDescription = "Parley"
    /// External ports tried after the one asked for is taken (on routers without AddAnyPortMapping).
    static let conflictAttempts = 8

    /// The router's control URLs and service data (stable addresses: the service type is
    /// read through a pointer into `data`). Valid while `found` is true.
    private let urls = UnsafeMutablePointer<UPNPUrls>.allocate(capacity: 1)
    private let data = UnsafeMutablePointer<IGDdatas>.allocate(capacity: 1)
    private var found = false
    /// Our address on the router's side (the mapping's internal client).
    private var lanAddress = ""

    init(discoveryDelay: Duration = .seconds(2)) {
        self.discoveryDelay = discoveryDelay
        urls.initialize(to: UPNPUrls())
        data.initialize(to: IGDdatas())
    }

    deinit {
        forget()
        urls.deallocate()
        data.deallocate()
    }

    func map(internalPort: Int, externalPort: Int, lifetime: Duration) throws(PortMappingError) -> PortMapping {
        try discover()
        do throws(PortMappingError) {
            let host = try externalAddress()
            var lease: Duration? = lifetime
            var port = externalPort
            var result = add(externalPort: port, internalPort: internalPort, lease: lifetime)
            if result == 725 {  // OnlyPermanentLeasesSupported
                lease = nil
                result = add(externalPort: port, internalPort: internalPort, lease: .zero)
            }
            if result == 718 {  // ConflictInMappingEntry: someone else has that external port; let the router pick
                var reserved = [CChar](repeating: 0, count: 6)
                result = UPNP_AddAnyPortMapping(urls.pointee.controlURL, parley_upnp_service_type(data), "\(externalPort)",
                                                "\(internalPort)", lanAddress, Self.mappingDescription, "TCP", nil,
                                                "\(lease.map { $0.components.seconds } ?? 0)", &reserved)
                if result == parley_upnp_command_success() {
                    port = Int(String(decoding: reserved.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) ?? 0
                } else {
                    // An IGD v1 router has no AddAnyPortMapping: try the next few ports ourselves.
                    for candidate in (externalPort + 1) ..< min(externalPort + 1 + Self.conflictAttempts, 65536) {
                        result = add(externalPort: candidate, internalPort: internalPort, lease: lease ?? .zero)
                        port = candidate
                        if result != 718 { break }
                    }
                }
            }
            guard result == parley_upnp_command_success(), (1...65535).contains(port) else {
                throw .refused(method, code: Int(result), detail: Self.words(result))
            }
            return PortMapping(method: method, externalHost: host, externalPort: port, internalPort: internalPort,
                               lifetime: lease)
        } catch {
            forget()  // the router may have gone or changed: discover again next time
            throw error
        }
    }

    func unmap(_ mapping: PortMapping) throws(PortMappingError) {
        try discover()
        let result = UPNP_DeletePortMapping(urls.pointee.controlURL, parley_upnp_service_type(data),
                                            "\(mapping.externalPort)", "TCP", nil)
        guard result == parley_upnp_command_success() else {
            throw .refused(method, code: Int(result), detail: Self.words(result))
        }
    }

    private func add(externalPort: Int, internalPort: Int, lease: Duration) -> Int32 {
        UPNP_AddPortMapping(urls.pointee.controlURL, parley_upnp_service_type(data), "\(externalPort)",
                            "\(internalPort)", lanAddress, Self.mappingDescription, "TCP", nil,
                            "\(lease.components.seconds)")
    }

    private func externalAddress() throws(PortMappingError) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let result = UPNP_GetExternalIPAddress(urls.pointee.controlURL, parley_upnp_service_type(data), &buffer)
        let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard result == parley_upnp_command_success() else {
            throw .noExternalAddress(method, "error \(result): \(Self.words(result))")
        }
        guard !host.isEmpty, host != "0.0.0.0" else { throw .noExternalAddress(method, "it answered '\(host)'") }
        return host
    }

    /// Finds the router unless it is known already.
    private func discover() throws(PortMappingError) {
        guard !found else { return }
        let milliseconds = Int32(discoveryDelay.components.seconds * 1000)
        var error: Int32 = 0
        // No multicast interface or minissdpd socket named; any local port; IPv4; TTL 2 (the default).
        guard let devices = upnpDiscover(milliseconds, nil, nil, 0, 0, 2, &error) else {
            throw .noRouterFound(seconds: Int(discoveryDelay.components.seconds))
        }
        defer { freeUPNPDevlist(devices) }
        var address = [CChar](repeating: 0, count: 64)
        let state = UPNP_GetValidIGD(devices, urls, data, &address, Int32(address.count))
        // 1: a connected IGD; 2: an IGD that says it is not connected, or whose external address is
        // private or reserved (a router behind another NAT): worth a try, the mapping call decides.
        guard state == 1 || state == 2 else {
            if state != 0 { FreeUPNPUrls(urls) }
            throw .noRouterFound(seconds: Int(discoveryDelay.components.seconds))
        }
        lanAddress = String(decoding: address.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        found = true
    }

    private func forget() {
        guard found else { return }
        FreeUPNPUrls(urls)
        urls.pointee = UPNPUrls()
        found = false
    }

    private static func words(_ code: Int32) -> String {
        strupnperror(code).map { String(cString: $0) } ?? "UPnP error \(code)"
    }
}
