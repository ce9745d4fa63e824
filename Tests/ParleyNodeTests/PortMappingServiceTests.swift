import Foundation
import Logging
import NIOConcurrencyHelpers
import ParleyCore
@testable import ParleyNode
import Testing

/// A router method that answers from a script and records what it was asked.
final class ScriptedRouter: PortMappingClient, @unchecked Sendable {
    let method: PortMappingMethod
    private let answers: NIOLockedValueBox<[Result<PortMapping, PortMappingError>]>
    let calls = NIOLockedValueBox<[String]>([])
    /// Signalled after every call.
    let called = Wakeup()

    init(_ method: PortMappingMethod, _ answers: [Result<PortMapping, PortMappingError>]) {
        self.method = method
        self.answers = NIOLockedValueBox(answers)
    }

    func map(internalPort: Int, externalPort: Int, lifetime: Duration) throws(PortMappingError) -> PortMapping {
        calls.withLockedValue { $0.append("map \(externalPort)→\(internalPort)") }
        let answer = answers.withLockedValue { $0.isEmpty ? .failure(.noAnswer(method, seconds: 2)) : $0.removeFirst() }
        defer { called.signal() }
        return try answer.get()
    }

    func unmap(_ mapping: PortMapping) throws(PortMappingError) {
        calls.withLockedValue { $0.append("unmap \(mapping.externalPort)") }
        called.signal()
    }
}

@Suite("Port mapping service and settings", .timeLimit(.minutes(1)))
struct PortMappingServiceTests {
    static func mapping(_ method: PortMappingMethod, port: Int = 40000) -> PortMapping {
        PortMapping(method: method, externalHost: "198.51.100.20", externalPort: port, internalPort: 29172,
                    lifetime: .seconds(3600))
    }

    @Test func portMappingIsAutoByDefaultAndCanBeTurnedOff() throws {
        #expect(try Configuration().portMapping() == .auto)
        #expect(try Configuration(parsing: "port_mapping = off\n").portMapping() == .off)
        #expect(try Configuration(parsing: "port_mapping = AUTO\n").portMapping() == .auto)
        let bad = try Configuration(parsing: "port_mapping = upnp\n")
        #expect(throws: ConfigurationError.invalidValue(key: "port_mapping", value: "upnp", reason: "use auto or off")) {
            try bad.validate()
        }
        #expect(PortMappingService.isLoopback("127.0.0.1") && PortMappingService.isLoopback("::1"))
        #expect(!PortMappingService.isLoopback("0.0.0.0") && !PortMappingService.isLoopback("::"))
    }

    /// NAT-PMP fails, UPnP maps: the mapping is announced; stop removes it with the method that made it.
    @Test func fallsBackToUPnPAndRemovesTheMappingOnStop() async throws {
        let pmp = ScriptedRouter(.natPMP, [.failure(.noAnswer(.natPMP, seconds: 2))])
        let upnp = ScriptedRouter(.upnp, [.success(Self.mapping(.upnp))])
        let heard = NIOLockedValueBox<[PortMapping?]>([])
        let mapped = Wakeup()
        let service = PortMappingService(internalPort: 29172, clients: [pmp, upnp], logger: Logger(label: "test")) { mapping in
            heard.withLockedValue { $0.append(mapping) }
            mapped.signal()
        }
        let running = Task { await service.run() }
        await mapped.wait(timeout: .seconds(10))
        #expect(service.mapping == Self.mapping(.upnp))
        await service.stop()
        await running.value
        #expect(pmp.calls.withLockedValue { $0 } == ["map 29172→29172"])
        #expect(upnp.calls.withLockedValue { $0 } == ["map 29172→29172", "unmap 40000"])
        #expect(heard.withLockedValue { $0 } == [Self.mapping(.upnp), nil])
        #expect(service.mapping == nil)
    }

    /// Without a default route there is no router: UPnP is not tried, nothing is announced.
    @Test func noDefaultRouteStopsAtNATPMP() async {
        let pmp = ScriptedRouter(.natPMP, [.failure(.noDefaultRoute)])
        let upnp = ScriptedRouter(.upnp, [.success(Self.mapping(.upnp))])
        let service = PortMappingService(internalPort: 29172, clients: [pmp, upnp], logger: Logger(label: "test")) { _ in
            Issue.record("nothing should be announced")
        }
        let running = Task { await service.run() }
        await pmp.called.wait(timeout: .seconds(10))
        await service.stop()
        await running.value
        #expect(upnp.calls.withLockedValue { $0 }.isEmpty)
        #expect(service.mapping == nil)
    }

    /// A cancelled run (the node's task group ending) still removes the mapping it holds.
    @Test func cancellationRemovesTheMapping() async {
        let pmp = ScriptedRouter(.natPMP, [.success(Self.mapping(.natPMP, port: 41000))])
        let mapped = Wakeup()
        let service = PortMappingService(internalPort: 29172, clients: [pmp], logger: Logger(label: "test")) { mapping in
            if mapping != nil { mapped.signal() }
        }
        let running = Task { await service.run() }
        await mapped.wait(timeout: .seconds(10))
        running.cancel()
        await running.value
        #expect(pmp.calls.withLockedValue { $0 } == ["map 29172→29172", "unmap 41000"])
    }

    /// The router's answer becomes the frame's bytes; addresses no one can dial are not announced.
    @Test func wireFormOfAMapping() {
        #expect(ExternalAddressService.wireAddress(of: Self.mapping(.natPMP))?.description == "198.51.100.20:40000")
        var local = Self.mapping(.upnp)
        local.externalHost = "0.0.0.0"
        #expect(ExternalAddressService.wireAddress(of: local) == nil)
        local.externalHost = "not an address"
        #expect(ExternalAddressService.wireAddress(of: local) == nil)
        local.externalHost = "2001:db8::7"
        #expect(ExternalAddressService.wireAddress(of: local)?.description == "[2001:db8::7]:40000")
    }
}
