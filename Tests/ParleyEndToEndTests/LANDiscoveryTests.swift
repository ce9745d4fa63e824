import Foundation
import ParleyCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hosts on one Ethernet bridge, each in a network namespace of its own:
/// `host(i)` is 10.77.0.i/24 (with `ipv4`), and always has an IPv6 link-local
/// address (usable at once: no duplicate address detection). Made and removed by the test.
final class BridgedHosts {
    let tag = String(UUID().uuidString.prefix(4).lowercased())
    var bridge: String { "parley-lanbr-\(tag)" }
    let count: Int

    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sysctl")
    }

    init(count: Int, ipv4: Bool = true) throws {
        self.count = count
        do {
            try Self.ip("netns", "add", bridge)
            try Self.ip("-n", bridge, "link", "set", "lo", "up")
            try Self.ip("-n", bridge, "link", "add", "br0", "type", "bridge")
            // No IGMP snooping: every port gets every multicast frame, querier or not.
            try Self.ip("-n", bridge, "link", "set", "br0", "type", "bridge", "mcast_snooping", "0")
            try Self.ip("-n", bridge, "link", "set", "br0", "up")
            for index in 1...count {
                let host = host(index), inside = "pl\(tag)h\(index)", port = "pl\(tag)b\(index)"
                try Self.ip("netns", "add", host)
                try Self.ip("-n", host, "link", "set", "lo", "up")
                try Self.ip("netns", "exec", host, "/usr/sbin/sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0")
                try Self.ip("link", "add", inside, "netns", host, "type", "veth", "peer", "name", port, "netns", bridge)
                try Self.ip("-n", bridge, "link", "set", port, "master", "br0")
                try Self.ip("-n", bridge, "link", "set", port, "up")
                if ipv4 { try Self.ip("-n", host, "addr", "add", "\(address(index))/24", "dev", inside) }
                try Self.ip("-n", host, "link", "set", inside, "up")
            }
        } catch {
            remove()
            throw error
        }
    }

    func host(_ index: Int) -> String { "parley-lan\(tag)-\(index)" }
    func address(_ index: Int) -> String { "10.77.0.\(index)" }
    func wrapper(_ index: Int) -> [String] { ["/usr/sbin/ip", "netns", "exec", host(index)] }

    func remove() {
        for index in 1...count { try? Self.ip("netns", "del", host(index)) }
        try? Self.ip("netns", "del", bridge)
    }

    static func ip(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(status: process.terminationStatus, stderr: "ip " + arguments.joined(separator: " "))
        }
    }
}

/// A UDP socket on port 29172 inside a namespace (made on a thread that enters it),
/// joined to the beacon group: records every datagram and sends any bytes.
final class BeaconProbe: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var received: [(source: String, bytes: [UInt8])] = []
    private var closed = false

    init(namespace: String, address: String) throws {
        let made = NIOLessBox()
        let thread = Thread {
            made.fd = Self.socket(in: namespace, address: address)
            made.done.signal()
        }
        thread.start()
        made.done.wait()
        guard made.fd >= 0 else { throw CommandFailed(status: made.fd, stderr: "no beacon probe in \(namespace)") }
        fd = made.fd
        Thread.detachNewThread { [self] in self.receiveLoop() }
    }

    /// Runs on a thread of its own, which it moves into `namespace` (setns) before making the socket.
    private static func socket(in namespace: String, address: String) -> Int32 {
        typealias SetNS = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return -1 }
        let setns = unsafeBitCast(symbol, to: SetNS.self)
        let namespaceFD = open("/run/netns/\(namespace)", O_RDONLY)
        guard namespaceFD >= 0 else { return -2 }
        defer { Glibc.close(namespaceFD) }
        guard setns(namespaceFD, 0x4000_0000 /* CLONE_NEWNET */) == 0 else { return -3 }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = UInt16(29172).bigEndian
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return -4 }
        var membership = ip_mreq()
        membership.imr_multiaddr.s_addr = inet_addr("239.255.29.172")
        membership.imr_interface.s_addr = inet_addr(address)
        guard setsockopt(fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &membership,
                         socklen_t(MemoryLayout<ip_mreq>.size)) == 0 else { return -5 }
        return fd
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !lock.withLock({ closed }) {
            var source = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = withUnsafeMutablePointer(to: &source) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count > 0 else { continue }
            let ip = String(cString: inet_ntoa(source.sin_addr))
            let bytes = Array(buffer[0..<count])
            lock.withLock { received.append((ip, bytes)) }
        }
    }

    /// The beacons received so far that decode, oldest first, with their sender's address.
    var beacons: [(source: String, beacon: LANBeacon)] {
        lock.withLock { received }.compactMap { entry in
            (try? LANBeacon(decoding: entry.bytes)).map { (entry.source, $0) }
        }
    }

    func send(_ bytes: [UInt8], to address: String, port: Int = 29172) {
        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_port = UInt16(port).bigEndian
        destination.sin_addr.s_addr = inet_addr(address)
        _ = withUnsafePointer(to: &destination) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    func close() {
        lock.withLock { closed = true }
        usleep(300_000)  // the receive loop wakes at least every 200 ms
        Glibc.close(fd)
    }
}

private final class NIOLessBox: @unchecked Sendable {
    var fd: Int32 = -1
    let done = DispatchSemaphore(value: 0)
}

@Suite("LAN discovery", .serialized, .timeLimit(.minutes(2)))
struct LANDiscoveryTests {
    @Test("Three hosts on one bridge, contacts without addresses: every pair links and chats; forged, replayed and stale beacons are ignored; lan_discovery = off sends nothing")
    func contactsFindEachOtherOnTheLAN() throws {
        guard BridgedHosts.available else {
            print("skipped: LAN discovery needs root, ip (iproute2) and sysctl to make network namespaces on a bridge")
            return
        }
        let hosts: BridgedHosts
        do {
            hosts = try BridgedHosts(count: 5)
        } catch {
            print("skipped: network namespaces on a bridge cannot be made here (\(error))")
            return
        }
        defer { hosts.remove() }
        // Hosts 1-3: the nodes; 4: the probe (hears the group, sends forgeries); 5: a node with discovery off.
        let probe = try BeaconProbe(namespace: hosts.host(4), address: hosts.address(4))
        defer { probe.close() }
        let quietHome = try TemporaryHome()
        try quietHome.writeConfig("lan_discovery = off\n")
        let quiet = try DaemonProcess(name: "quiet", home: quietHome, wrapper: hosts.wrapper(5), listenHost: "0.0.0.0")
        let names = ["alice", "bob", "carol"]
        let nodes = try names.indices.map { index in
            try DaemonProcess(name: names[index], wrapper: hosts.wrapper(index + 1), listenHost: "0.0.0.0")
        }
        defer { (nodes + [quiet]).forEach { $0.cleanup() } }
        let quietStarted = Date()
        try quiet.start()
        for node in nodes { try node.start() }
        let ids = try nodes.map { try ContactID(parsing: $0.contactID()) }

        // Every node beacons at start; the quiet one never does.
        try waitUntil(timeout: 5, "beacons from alice, bob and carol") {
            Set(probe.beacons.map(\.beacon.contactID)).isSuperset(of: ids)
        }
        for (index, id) in ids.enumerated() {
            let beacon = try #require(probe.beacons.first { $0.beacon.contactID == id })
            #expect(beacon.source == hosts.address(index + 1))
            #expect(Int(beacon.beacon.listenPort) == nodes[index].port)
        }
        let quietID = try ContactID(parsing: quiet.contactID())
        Thread.sleep(forTimeInterval: max(0, 4 - Date().timeIntervalSince(quietStarted)))  // its start and follow-up beacon
        #expect(!probe.beacons.contains { $0.beacon.contactID == quietID }, "lan_discovery = off sent a beacon")
        #expect(!quiet.logText.contains("LAN discovery: joined"))

        // Contacts by ID only: no addresses anywhere.
        for (index, node) in nodes.enumerated() {
            for (other, name) in names.enumerated() where other != index {
                try node.parley("contacts", "add", ids[other].grouped, "--name", name).requireSuccess()
            }
        }
        let added = Date()
        try waitUntil(timeout: 5, "every pair linked over the LAN") {
            try nodes.indices.allSatisfy { index in
                try names.indices.allSatisfy { other in try other == index || nodes[index].isOnline(names[other]) }
            }
        }
        print("LAN discovery: all three pairs linked \(String(format: "%.2f", Date().timeIntervalSince(added))) s after the contacts were added")
        for (index, node) in nodes.enumerated() {
            let next = (index + 1) % nodes.count
            try node.parley("send", names[next], "hello \(names[next]) from \(names[index])").requireSuccess()
        }
        for (index, node) in nodes.enumerated() {
            let previous = (index + nodes.count - 1) % nodes.count
            try waitUntil(timeout: 10, "\(names[index]) receives the message of \(names[previous])") {
                try node.history(names[previous]).contains {
                    $0["body"] as? String == "hello \(names[index]) from \(names[previous])"
                }
            }
        }

        // Forged: Bob's ID and key, someone else's signature, pointing at the probe.
        let alice = nodes[0]
        let bobBeacon = try #require(probe.beacons.last { $0.beacon.contactID == ids[1] }?.beacon)
        let stranger = try LANBeacon.signed(by: Identity.generate(), listenPort: 9)
        let forged = LANBeacon(contactID: ids[1], listenPort: 9, timestamp: stranger.timestamp,
                               subjectPublicKeyInfo: bobBeacon.subjectPublicKeyInfo, signature: stranger.signature)
        probe.send(forged.encoded, to: hosts.address(1))
        try waitUntil(timeout: 5, "alice ignores the forged beacon") {
            alice.logText.contains("LAN beacon from \(hosts.address(4)) ignored: bad signature")
        }
        // Replayed: Carol's latest beacon, which Alice has accepted already.
        let carolBeacon = try #require(probe.beacons.last { $0.beacon.contactID == ids[2] }?.beacon)
        probe.send(carolBeacon.encoded, to: hosts.address(1))
        try waitUntil(timeout: 5, "alice ignores the replayed beacon") {
            alice.logText.contains("LAN beacon from \(hosts.address(4)) ignored: replayed")
        }
        // Stale: properly signed by Carol's own key, but six minutes old.
        let carolIdentity = try Identity(
            privateKeyPEM: String(contentsOf: nodes[2].home.url.appending(path: "identity.key"), encoding: .utf8),
            certificatePEM: String(contentsOf: nodes[2].home.url.appending(path: "identity.crt"), encoding: .utf8))
        let stale = try LANBeacon.signed(by: carolIdentity, listenPort: 9, at: Date().addingTimeInterval(-360))
        probe.send(stale.encoded, to: hosts.address(1))
        try waitUntil(timeout: 5, "alice ignores the stale beacon") {
            alice.logText.contains("LAN beacon from \(hosts.address(4)) ignored: timestamp")
        }
        #expect(!alice.logText.contains("at \(hosts.address(4)):"), "a refused beacon became an address hint")
        #expect(try alice.isOnline("bob") && (try alice.isOnline("carol")))

        // A flood of forgeries: looked at no faster than 20 a second (bursts of 40), the rest dropped unread.
        let ignoredBefore = alice.logText.components(separatedBy: "ignored: bad signature").count
        let flooded = Date()
        for _ in 0..<5000 { probe.send(forged.encoded, to: hosts.address(1)) }
        try alice.parley("send", "bob", "still here").requireSuccess()
        try waitUntil(timeout: 5, "a message gets through during the flood") {
            try nodes[1].history("alice").contains { $0["body"] as? String == "still here" }
        }
        Thread.sleep(forTimeInterval: 0.5)
        let seconds = Date().timeIntervalSince(flooded)
        let looked = alice.logText.components(separatedBy: "ignored: bad signature").count - ignoredBefore
        print("LAN discovery: 5000 forged beacons, \(looked) looked at in \(String(format: "%.1f", seconds)) s")
        #expect(looked >= 1 && Double(looked) <= 40 + 20 * seconds + 5, "the rate limit held")
        #expect(try alice.isOnline("bob") && (try alice.isOnline("carol")))
    }

    @Test("IPv6 only (link-local, no IPv4 anywhere): two hosts listening on [::] find each other and chat")
    func contactsFindEachOtherOverIPv6LinkLocal() throws {
        guard BridgedHosts.available else {
            print("skipped: LAN discovery needs root, ip (iproute2) and sysctl to make network namespaces on a bridge")
            return
        }
        let hosts: BridgedHosts
        do {
            hosts = try BridgedHosts(count: 2, ipv4: false)
        } catch {
            print("skipped: network namespaces on a bridge cannot be made here (\(error))")
            return
        }
        defer { hosts.remove() }
        let alice = try DaemonProcess(name: "alice", wrapper: hosts.wrapper(1), listenHost: "::")
        let bob = try DaemonProcess(name: "bob", wrapper: hosts.wrapper(2), listenHost: "::")
        defer { alice.cleanup(); bob.cleanup() }
        try alice.start()
        try bob.start()
        try alice.parley("contacts", "add", try bob.contactID(), "--name", "bob").requireSuccess()
        try bob.parley("contacts", "add", try alice.contactID(), "--name", "alice").requireSuccess()
        try waitUntil(timeout: 5, "alice and bob linked over IPv6 link-local") {
            try alice.isOnline("bob") && bob.isOnline("alice")
        }
        try alice.parley("send", "bob", "hello over IPv6").requireSuccess()
        try waitUntil(timeout: 10, "bob receives it") {
            try bob.history("alice").contains { $0["body"] as? String == "hello over IPv6" }
        }
        #expect(alice.logText.contains("at [fe80:") || bob.logText.contains("at [fe80:"), "a link-local hint was used")
    }
}
