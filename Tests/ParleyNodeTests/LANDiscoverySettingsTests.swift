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
        #expect(hints.addresses(for: id, at: start + .seconds(60)) == [address])
        let linkLocal = PeerAddress(host: "fe80::2%eth0", port: 4000)
        #expect(hints.record(linkLocal, for: id, at: start + .seconds(61)), "IPv6 is kept beside IPv4")
        #expect(!hints.record(address, for: id, at: start + .seconds(62)))
        #expect(hints.addresses(for: id, at: start + .seconds(63)) == [address, linkLocal], "IPv4 first")
        #expect(hints.addresses(for: id, at: start + .seconds(362)) == [address], "the IPv6 hint is 301 s old: gone")
        #expect(hints.addresses(for: id, at: start + .seconds(400)) == [])
        #expect(hints.record(address, for: id, at: start + .seconds(400)))
        hints.forget(id)
        #expect(hints.addresses(for: id, at: start + .seconds(400)) == [])
    }

    @Test func loopbackIsNeverUsed() {
        #expect(!LANDiscovery.interfaces(includeTunnels: true).contains { $0.name == "lo" })
        #expect(!LANDiscovery.interfaces(ipv6: true, includeTunnels: true).contains { $0.name == "lo" })
        #expect(LANDiscovery.interfaces(ipv6: true, includeTunnels: true).allSatisfy {
            $0.address?.ipAddress?.lowercased().hasPrefix("fe80:") == true
        })
    }

    @Test func linkLocalSourcesKeepTheirInterface() throws {
        #expect(LANDiscovery.host(ipv6: "fe80::1", scopeID: 1) == "fe80::1%lo")  // lo is always index 1
        #expect(LANDiscovery.host(ipv6: "fd00::7", scopeID: 1) == "fd00::7")
        #expect(LANDiscovery.host(ipv6: "fe80::1", scopeID: 999_999) == nil)
    }
}
