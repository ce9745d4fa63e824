import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// B's home network behind a router that runs miniupnpd (UPnP-IGD and NAT-PMP), and the
/// Internet as one more namespace, all made and removed by the test:
///
///     pub 198.51.100.1 (+ .2, coturn: STUN) — nat 198.51.100.20 | 10.0.2.1 (miniupnpd) — priv 10.0.2.2
///
/// miniupnpd 2.3.1 refuses to forward when its WAN address is in a reserved range (TEST-NET
/// included) unless it learnt it by STUN, which needs a server answering from two addresses:
/// hence coturn in `pub` (see shared/recipes/nat-lab).
final class PortMappingLab {
    static let external = "198.51.100.20"
    static let internet = "198.51.100.1"

    let tag = String(UUID().uuidString.prefix(4).lowercased())
    var pub: String { "parley-pm\(tag)-pub" }
    var nat: String { "parley-pm\(tag)-nat" }
    var priv: String { "parley-pm\(tag)-priv" }
    var wan: String { "pm\(tag)w0" }
    var lan: String { "pm\(tag)l0" }
    let directory: URL
    private var daemons: [Process] = []

    static let tools = ["/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/miniupnpd", "/usr/bin/turnserver", "/usr/bin/natpmpc"]

    static var available: Bool {
        getuid() == 0 && tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Builds the namespaces, starts coturn and miniupnpd (NAT-PMP only with `natPMP`; UPnP-IGD
    /// always) and waits until miniupnpd forwards.
    init(natPMP: Bool = true) throws {
        directory = URL(fileURLWithPath: "/tmp/parley-pmlab-\(tag)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for namespace in [pub, nat, priv] {
                try Self.run("/usr/sbin/ip", "netns", "add", namespace)
                try Self.run("/usr/sbin/ip", "-n", namespace, "link", "set", "lo", "up")
            }
            try Self.run("/usr/sbin/ip", "link", "add", wan, "netns", nat, "type", "veth", "peer", "name", "pm\(tag)w1", "netns", pub)
            try Self.run("/usr/sbin/ip", "link", "add", lan, "netns", nat, "type", "veth", "peer", "name", "pm\(tag)l1", "netns", priv)
            for (namespace, address, device) in [(pub, "198.51.100.1/24", "pm\(tag)w1"), (pub, "198.51.100.2/24", "pm\(tag)w1"),
                                                 (nat, "\(Self.external)/24", wan), (nat, "10.0.2.1/24", lan),
                                                 (priv, "10.0.2.2/24", "pm\(tag)l1")] {
                try Self.run("/usr/sbin/ip", "-n", namespace, "addr", "add", address, "dev", device)
                try Self.run("/usr/sbin/ip", "-n", namespace, "link", "set", device, "up")
            }
            try Self.run("/usr/sbin/ip", "-n", priv, "route", "add", "default", "via", "10.0.2.1")
            try Self.run("/usr/sbin/ip", "netns", "exec", nat, "/usr/sbin/sysctl", "-qw", "net.ipv4.ip_forward=1")
            // The router: masquerade out, nothing in but what miniupnpd opens (Debian's nft_init.sh is broken).
            let rules = directory.appending(path: "nat.nft")
            try Data("""
                table inet miniupnpd {
                    chain forward {
                        type filter hook forward priority 0; policy drop;
                        ct state established,related accept;
                        iifname "\(lan)" oifname "\(wan)" accept;
                        jump miniupnpd;
                    }
                    chain miniupnpd {
                    }
                    chain prerouting {
                        type nat hook prerouting priority -100; policy accept;
                        jump prerouting_miniupnpd;
                    }
                    chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        oifname "\(wan)" masquerade;
                        jump postrouting_miniupnpd;
                    }
                    chain prerouting_miniupnpd {
                    }
                    chain postrouting_miniupnpd {
                    }
                }

                """.utf8).write(to: rules)
            try Self.run("/usr/sbin/ip", "netns", "exec", nat, "/usr/sbin/nft", "-f", rules.path)
            try startSTUN()
            try startMiniUPnPd(natPMP: natPMP)
        } catch {
            remove()
            throw error
        }
    }

    /// coturn as a STUN server only, on two addresses (RFC 5780 answers from the other one).
    private func startSTUN() throws {
        let turn = directory.appending(path: "turn")
        try FileManager.default.createDirectory(at: turn, withIntermediateDirectories: true)
        try start(in: pub, log: "turnserver.log", "/usr/bin/turnserver", "-n", "--stun-only", "--no-cli", "--no-tls", "--no-dtls",
                  "--listening-ip", "198.51.100.1", "--listening-ip", "198.51.100.2", "--listening-port", "3478",
                  "--userdb", turn.appending(path: "turndb").path, "--pidfile", turn.appending(path: "turn.pid").path,
                  "--log-file", "stdout", "--simple-log", "--no-software-attribute")
        try waitUntil(timeout: 10, "coturn listens") {
            try Self.output("/usr/sbin/ip", "netns", "exec", pub, "/usr/bin/ss", "-Hlun").contains("198.51.100.2:3478")
        }
    }

    private func startMiniUPnPd(natPMP: Bool) throws {
        let configuration = directory.appending(path: "miniupnpd.conf")
        try Data("""
            ext_ifname=\(wan)
            listening_ip=\(lan)
            http_port=5000
            enable_natpmp=\(natPMP ? "yes" : "no")
            enable_upnp=yes
            ipv6_disable=yes
            secure_mode=yes
            system_uptime=yes
            uuid=3f1c6a52-7d2e-4b8a-9a43-1d2c5e6f7a80
            lease_file=\(directory.appending(path: "miniupnpd.leases").path)
            upnp_table_name=miniupnpd
            upnp_nat_table_name=miniupnpd
            upnp_forward_chain=miniupnpd
            upnp_nat_chain=prerouting_miniupnpd
            upnp_nat_postrouting_chain=postrouting_miniupnpd
            ext_perform_stun=yes
            ext_stun_host=198.51.100.1
            ext_stun_port=3478
            allow 1024-65535 10.0.2.0/24 1024-65535
            deny 0-65535 0.0.0.0/0 0-65535

            """.utf8).write(to: configuration)
        try start(in: nat, log: "miniupnpd.log", "/usr/sbin/miniupnpd", "-f", configuration.path, "-d",
                  "-P", directory.appending(path: "miniupnpd.pid").path)
        try waitUntil(timeout: 10, "miniupnpd is ready") { miniupnpdLog.contains("HTTP listening on port 5000") }
        guard miniupnpdLog.contains("Port forwarding is now enabled") else {
            throw CommandFailed(status: 1, stderr: "miniupnpd does not forward:\n\(miniupnpdLog)")
        }
    }

    var miniupnpdLog: String { (try? String(contentsOf: directory.appending(path: "miniupnpd.log"), encoding: .utf8)) ?? "" }

    /// The router's forwarding rules as nftables lists them.
    func forwardingRules() throws -> String {
        try Self.output("/usr/sbin/ip", "netns", "exec", nat, "/usr/sbin/nft", "list", "chain", "inet", "miniupnpd",
                        "prerouting_miniupnpd")
    }

    func wrapper(_ namespace: String) -> [String] { ["/usr/sbin/ip", "netns", "exec", namespace] }

    private func start(in namespace: String, log: String, _ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace] + arguments
        let file = directory.appending(path: log)
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: file)
        process.standardError = process.standardOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        daemons.append(process)
    }

    /// Stops coturn, miniupnpd and anything else still inside, deletes the namespaces and the files.
    func remove() {
        for process in daemons where process.isRunning { process.terminate() }
        for namespace in [pub, nat, priv] {
            for pid in (try? Self.output("/usr/sbin/ip", "netns", "pids", namespace))?.split(separator: "\n") ?? [] {
                if let pid = Int32(pid) { kill(pid, SIGKILL) }
            }
        }
        for process in daemons { process.waitUntilExit() }
        for namespace in [pub, nat, priv] { try? Self.run("/usr/sbin/ip", "netns", "del", namespace) }
        try? FileManager.default.removeItem(at: directory)
    }

    static func run(_ arguments: String...) throws { _ = try output(arguments) }

    static func output(_ arguments: String...) throws -> String { try output(arguments) }

    static func output(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(status: process.terminationStatus,
                                stderr: arguments.joined(separator: " ") + ": " + String(decoding: problem, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite("Port mapping", .serialized, .timeLimit(.minutes(2)))
struct PortMappingTests {
    /// `parley status --json` of `node`.
    static func status(_ node: DaemonProcess) throws -> [String: Any] {
        try node.parley("status", "--json").requireSuccess().json as? [String: Any] ?? [:]
    }

    @Test("B's router runs miniupnpd: B maps its port itself (NAT-PMP), tells A its external address over the link, A dials it there next time; after B exits the mapping is gone")
    func natPMPMappingLetsAContactIn() throws {
        guard PortMappingLab.available else {
            print("skipped: port mapping needs root, iproute2, nftables, miniupnpd, coturn and natpmpc (\(PortMappingLab.tools.joined(separator: ", ")))")
            return
        }
        let started = Date()
        let lab = try PortMappingLab()
        defer { lab.remove() }
        let quiet = "lan_discovery = off\n"
        let aliceHome = try TemporaryHome(), bobHome = try TemporaryHome()
        try aliceHome.writeConfig(quiet + "port_mapping = off\n")
        try bobHome.writeConfig(quiet)
        let alice = try DaemonProcess(name: "alice", home: aliceHome, wrapper: lab.wrapper(lab.pub), listenHost: "0.0.0.0")
        let bob = try DaemonProcess(name: "bob", home: bobHome, wrapper: lab.wrapper(lab.priv), listenHost: "0.0.0.0")
        defer { alice.cleanup(); bob.cleanup() }

        // Someone else on B's network already has B's listen port on the router: B gets another one,
        // so the address A learns from B's incoming link (the router's address, B's listen port) is
        // wrong, and only what B tells A leads back to B.
        let taken = bob.port, elsewhere = try freeLoopbackPort()
        try PortMappingLab.run("/usr/sbin/ip", "netns", "exec", lab.priv, "/usr/bin/natpmpc", "-g", "10.0.2.1",
                               "-a", "\(taken)", "\(elsewhere)", "tcp", "600")

        try bob.start()
        var external = ""
        try waitUntil(timeout: 10, "bob's router maps his port") {
            let status = try Self.status(bob)
            external = status["external_address"] as? String ?? ""
            return status["external_address_source"] as? String == "mapping"
        }
        print("port mapping: bob is at \(external) \(String(format: "%.2f", Date().timeIntervalSince(started))) s after the lab was started")
        #expect(external.hasPrefix("\(PortMappingLab.external):"))
        let port = try #require(Int(external.split(separator: ":").last ?? ""))
        #expect(port != taken, "the router gave the port someone else holds")
        #expect(try Self.status(bob)["port_mapping"] as? String == "NAT-PMP")
        #expect(try bob.parley("status").stdout.contains("Outside \(external) (mapping, NAT-PMP)"))
        #expect(try lab.forwardingRules().contains("dport \(port) dnat ip to 10.0.2.2:\(bob.port)"))
        try alice.start()
        #expect(try Self.status(alice)["external_address_source"] as? String == "unknown")
        #expect(try Self.status(alice)["port_mapping"] as? String == "off")

        // Bob reaches Alice (she is on the Internet) and tells her where he can be reached.
        let aliceAddress = "\(PortMappingLab.internet):\(alice.port)"
        try alice.parley("contacts", "add", try bob.contactID(), "--name", "bob").requireSuccess()
        try bob.parley("contacts", "add", try alice.contactID(), "--name", "alice", "--address", aliceAddress).requireSuccess()
        try waitUntil(timeout: 15, "bob links to alice") { try alice.isOnline("bob") && bob.isOnline("alice") }
        try waitUntil(timeout: 5, "alice stores bob's external address") {
            let addresses = try alice.parley("contacts", "address", "bob", "list", "--json").json as? [String] ?? []
            return addresses.contains(external)
        }
        #expect(alice.logText.contains("bob can be dialled at \(external) (port mapping)"))

        // Next time only Alice can dial: Bob forgets her address, she restarts.
        try bob.parley("contacts", "address", "alice", "remove", aliceAddress).requireSuccess()
        #expect(alice.stop() == 0)
        try waitUntil(timeout: 5, "bob sees alice go") { try !bob.isOnline("alice") }
        try alice.start()
        try waitUntil(timeout: 15, "alice dials bob at his external address") {
            try alice.isOnline("bob") && bob.isOnline("alice")
        }
        // Bob's first link was his own call: an incoming one can only be Alice's, through his router.
        #expect(bob.logText.split(separator: "\n").contains { $0.contains("link=incoming") && $0.hasSuffix("link up") },
                "alice got in through bob's router")
        try alice.parley("send", "bob", "hello through your router").requireSuccess()
        try waitUntil(timeout: 10, "bob receives it") {
            try bob.history("alice").contains { $0["body"] as? String == "hello through your router" }
        }

        // Bob exits: the router forgets his port (what the other host holds stays).
        #expect(bob.stop() == 0)
        #expect(bob.logText.contains("port mapping removed: \(external)"))
        let rules = try lab.forwardingRules()
        #expect(!rules.contains("dport \(port) "), "the mapping outlived bob:\n\(rules)")
        #expect(rules.contains("dport \(taken) "), "the other host's mapping was removed too")
        print("port mapping (NAT-PMP): \(String(format: "%.1f", Date().timeIntervalSince(started))) s in all")
    }

    @Test("B's router speaks UPnP-IGD only: B maps its port, A dials B's external address, after B exits the mapping is gone")
    func upnpMappingLetsAContactIn() throws {
        guard PortMappingLab.available else {
            print("skipped: port mapping needs root, iproute2, nftables, miniupnpd, coturn and natpmpc (\(PortMappingLab.tools.joined(separator: ", ")))")
            return
        }
        let started = Date()
        let lab = try PortMappingLab(natPMP: false)
        defer { lab.remove() }
        let aliceHome = try TemporaryHome(), bobHome = try TemporaryHome()
        try aliceHome.writeConfig("lan_discovery = off\nport_mapping = off\n")
        try bobHome.writeConfig("lan_discovery = off\nport_mapping = auto\n")
        let alice = try DaemonProcess(name: "alice", home: aliceHome, wrapper: lab.wrapper(lab.pub), listenHost: "0.0.0.0")
        let bob = try DaemonProcess(name: "bob", home: bobHome, wrapper: lab.wrapper(lab.priv), listenHost: "0.0.0.0")
        defer { alice.cleanup(); bob.cleanup() }
        try bob.start()
        try alice.start()
        var external = ""
        try waitUntil(timeout: 15, "bob's router maps his port over UPnP") {
            let status = try Self.status(bob)
            external = status["external_address"] as? String ?? ""
            return status["external_address_source"] as? String == "mapping"
        }
        #expect(external == "\(PortMappingLab.external):\(bob.port)")
        #expect(try Self.status(bob)["port_mapping"] as? String == "UPnP-IGD")
        #expect(try lab.forwardingRules().contains("dport \(bob.port) dnat ip to 10.0.2.2:\(bob.port)"))

        // Given the address explicitly, Alice gets through Bob's router.
        try bob.parley("contacts", "add", try alice.contactID(), "--name", "alice").requireSuccess()
        try alice.parley("contacts", "add", try bob.contactID(), "--name", "bob", "--address", external).requireSuccess()
        try waitUntil(timeout: 15, "alice links to bob through his router") { try alice.isOnline("bob") && bob.isOnline("alice") }

        #expect(bob.stop() == 0)
        #expect(bob.logText.contains("port mapping removed: \(external)"))
        let rules = try lab.forwardingRules()
        #expect(!rules.contains("dport \(bob.port) "), "the mapping outlived bob:\n\(rules)")
        print("port mapping (UPnP-IGD): \(String(format: "%.1f", Date().timeIntervalSince(started))) s in all")
    }
}
