import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Two hosts on one network, made and removed by the test: `a` 10.0.4.1 — `b` 10.0.4.2 (a veth
/// pair in two namespaces). Each contact has the other's address, as on a home network.
final class TwoHostLab {
    let tag = String(UUID().uuidString.prefix(4).lowercased())
    var hostA: String { "parley-2h\(tag)-a" }
    var hostB: String { "parley-2h\(tag)-b" }
    var deviceB: String { "m\(tag)b" }
    static let addressA = "10.0.4.1", addressB = "10.0.4.2", movedB = "10.0.4.3"

    static var available: Bool {
        getuid() == 0 && ["/usr/sbin/ip", "/usr/sbin/iptables", "/usr/sbin/tc"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init() throws {
        do {
            for namespace in [hostA, hostB] {
                try NATLab.run("/usr/sbin/ip", "netns", "add", namespace)
                try NATLab.run("/usr/sbin/ip", "-n", namespace, "link", "set", "lo", "up")
            }
            try NATLab.run("/usr/sbin/ip", "link", "add", deviceA, "netns", hostA, "type", "veth", "peer", "name", deviceB, "netns", hostB)
            for (namespace, device, address) in [(hostA, deviceA, Self.addressA), (hostB, deviceB, Self.addressB)] {
                try NATLab.run("/usr/sbin/ip", "-n", namespace, "addr", "add", "\(address)/24", "dev", device)
                try NATLab.run("/usr/sbin/ip", "-n", namespace, "link", "set", device, "up")
            }
        } catch {
            remove()
            throw error
        }
    }

    func wrapper(_ namespace: String) -> [String] { ["/usr/sbin/ip", "netns", "exec", namespace] }

    /// Alice in `a` and Bob in `b` with these configs (LAN discovery and port mapping off),
    /// started, each the other's contact at its address, linked. The caller cleans them up.
    func linkedDaemons(aliceConfig: String, bobConfig: String) throws -> (alice: DaemonProcess, bob: DaemonProcess) {
        let quiet = "lan_discovery = off\nport_mapping = off\n"
        let aliceHome = try TemporaryHome(), bobHome = try TemporaryHome()
        try aliceHome.writeConfig(quiet + aliceConfig)
        try bobHome.writeConfig(quiet + bobConfig)
        let alice = try DaemonProcess(name: "alice", home: aliceHome, wrapper: wrapper(hostA), listenHost: "0.0.0.0")
        let bob = try DaemonProcess(name: "bob", home: bobHome, wrapper: wrapper(hostB), listenHost: "0.0.0.0")
        do {
            try alice.start()
            try bob.start()
            try bob.parley("contacts", "add", try alice.contactID(), "--name", "alice", "--address", "\(Self.addressA):\(alice.port)").requireSuccess()
            try alice.parley("contacts", "add", try bob.contactID(), "--name", "bob", "--address", "\(Self.addressB):\(bob.port)").requireSuccess()
            try waitUntil(timeout: 15, "alice and bob link") { try alice.isOnline("bob") && bob.isOnline("alice") }
        } catch {
            alice.cleanup()
            bob.cleanup()
            throw error
        }
        return (alice, bob)
    }

    /// The device on A's side of the pair (its egress carries everything A sends to B).
    var deviceA: String { "m\(tag)a" }

    /// B's interface loses its address and gets a new one (a new DHCP lease; in this order, as
    /// deleting a primary IPv4 address deletes the secondaries of its subnet too).
    func moveB() throws {
        try NATLab.run("/usr/sbin/ip", "-n", hostB, "addr", "del", "\(Self.addressB)/24", "dev", deviceB)
        try NATLab.run("/usr/sbin/ip", "-n", hostB, "addr", "add", "\(Self.movedB)/24", "dev", deviceB)
    }

    /// A's egress toward B goes through a token bucket of `kilobits` per second that queues at
    /// most 300 ms (`tc tbf`, as a narrow uplink does); nil removes it (and drops what it
    /// holds). A second call changes the rate of the bucket in place, its queue kept, as a
    /// path that widens or narrows does.
    func limitA(kilobits: Int?) throws {
        if let kilobits {
            let present = try PortMappingLab.output("/usr/sbin/ip", "netns", "exec", hostA, "/usr/sbin/tc", "qdisc", "show", "dev", deviceA)
                .contains("tbf")
            try NATLab.run("/usr/sbin/ip", "netns", "exec", hostA, "/usr/sbin/tc", "qdisc", present ? "change" : "add", "dev", deviceA, "root", "tbf",
                           "rate", "\(kilobits)kbit", "burst", "16kb", "latency", "300ms")
        } else {
            try NATLab.run("/usr/sbin/ip", "netns", "exec", hostA, "/usr/sbin/tc", "qdisc", "del", "dev", deviceA, "root")
        }
    }

    /// Packets the token bucket on A's egress has sent and dropped so far.
    func limiterCounts() throws -> (sent: Int, dropped: Int) {
        let text = try PortMappingLab.output("/usr/sbin/ip", "netns", "exec", hostA, "/usr/sbin/tc", "-s", "qdisc", "show", "dev", deviceA)
        func number(after word: String) -> Int {
            guard let range = text.range(of: word) else { return 0 }
            return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        return (number(after: "bytes "), number(after: "(dropped "))
    }

    func iptables(_ namespace: String, _ arguments: String...) throws {
        try NATLab.run(contentsOf: ["/usr/sbin/ip", "netns", "exec", namespace, "/usr/sbin/iptables"] + arguments)
    }

    func remove() {
        for namespace in [hostA, hostB] {
            for pid in (try? PortMappingLab.output("/usr/sbin/ip", "netns", "pids", namespace))?.split(separator: "\n") ?? [] {
                if let pid = Int32(pid) { kill(pid, SIGKILL) }
            }
            try? NATLab.run("/usr/sbin/ip", "netns", "del", namespace)
        }
    }
}
