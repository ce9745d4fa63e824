import ParleyCore
@testable import ParleyNode
import Testing

@Suite("LAN discovery settings and hints")
struct LANDiscoverySettingsTests {
    @Test func lanDiscoveryIsOnByDefaultAndTunnelsOff() throws {
        let empty = Configuration()
        #expect(try empty.lanDiscovery())
        #expect(try !empty.lanTunnels())
        let off = try Configuration(parsing: "lan_discovery = off\nlan_tunnels = yes\n")
        #expect(try !off.lanDiscovery())
        #expect(try off.lanTunnels())
        try off.validate()
    }

    @Test func aBadValueIsRefusedAtValidation() throws {
        let bad = try Configuration(parsing: "lan_discovery = sometimes\n")
        #expect(throws: ConfigurationError.invalidValue(key: "lan_discovery", value: "sometimes", reason: "use on or off")) {
            try bad.validate()
        }
    }

    @Test func hintsExpireAndReportChanges() throws {
        let hints = LANHints()
        let id = try Identity.generate().contactID
        let start = ContinuousClock.now
        let address = PeerAddress(host: "10.0.0.2", port: 4000)
        #expect(hints.record(address, for: id, at: start))
        #expect(!hints.record(address, for: id, at: start + .seconds(30)), "the same address again is no news")
        #expect(hints.address(for: id, at: start + .seconds(60)) == address)
        #expect(hints.address(for: id, at: start + .seconds(331)) == nil, "5 minutes without a beacon")
        #expect(hints.record(address, for: id, at: start + .seconds(400)))
        hints.forget(id)
        #expect(hints.address(for: id, at: start + .seconds(400)) == nil)
    }

    @Test func loopbackIsNeverUsed() {
        #expect(!LANDiscovery.interfaces(includeTunnels: true).contains { $0.name == "lo" })
    }
}
