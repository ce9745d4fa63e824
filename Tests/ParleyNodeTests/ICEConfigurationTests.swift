import Foundation
@testable import ParleyNode
import ParleyWire
import Testing

/// The pure parts of ICE: TURN credentials, the STUN/TURN config keys, candidate lines and
/// what a selected pair means for `media_path`.
@Suite("ICE configuration and candidates")
struct ICEConfigurationTests {
    @Test(arguments: [
        ("north", "alice", 1_700_000_000.0, 86_400.0, "1700086400:alice", "SXua5ne/+mDhiHTp0pQJzRO4ESg="),
        ("north", "", 1_700_000_000.0, 600.0, "1700000600", "pL3AD+pdSi0Td8xk/uSD7cXdsYc="),
    ])
    func sharedSecretCredentials(secret: String, user: String, now: Double, lifetime: Double, username: String, password: String) {
        let credentials = TURNCredentials.fromSharedSecret(secret, user: user, now: Date(timeIntervalSince1970: now), lifetime: lifetime)
        #expect(credentials == TURNCredentials(username: username, password: password))
    }

    @Test(arguments: [
        ("198.51.100.1:3478", ICEServerAddress(host: "198.51.100.1", port: 3478)),
        ("turn.example.org", ICEServerAddress(host: "turn.example.org", port: 3478)),
        ("turn.example.org:5349", ICEServerAddress(host: "turn.example.org", port: 5349)),
        ("[2001:db8::1]:3479", ICEServerAddress(host: "2001:db8::1", port: 3479)),
        ("[2001:db8::1]", ICEServerAddress(host: "2001:db8::1", port: 3478)),
    ])
    func serverAddressesParse(_ text: String, _ expected: ICEServerAddress) {
        #expect(ICEServerAddress(parsing: text) == expected)
    }

    @Test(arguments: ["", "host:0", "host:70000", "host:x", "2001:db8::1", "[2001:db8::1", "[::1]x", "a b:1"])
    func badServerAddressesAreRefused(_ text: String) {
        #expect(ICEServerAddress(parsing: text) == nil)
    }

    @Test func configKeysMakeServers() throws {
        let empty = try ICEServers(values: [:])
        #expect(empty == ICEServers())
        let longTerm = try ICEServers(values: ["stun": "198.51.100.1:3478, 198.51.100.2", "turn": "198.51.100.1",
                                               "turn_user": "alice", "turn_password": "pw", "turn_transport": "TCP"])
        #expect(longTerm.stun == [ICEServerAddress(host: "198.51.100.1"), ICEServerAddress(host: "198.51.100.2")])
        #expect(longTerm.turn == TURNServer(address: ICEServerAddress(host: "198.51.100.1"),
                                            authentication: .longTerm(user: "alice", password: "pw"), transport: .tcp))
        let secret = try ICEServers(values: ["turn": "198.51.100.1:3478", "turn_user": "bob", "turn_secret": "north"])
        #expect(secret.turn?.authentication == .sharedSecret(user: "bob", secret: "north"))
        #expect(secret.turn?.credentials(now: Date(timeIntervalSince1970: 1_699_913_600)).username == "1700000000:bob")
    }

    @Test(arguments: [
        ["stun": "a b c:x"],
        ["turn": "198.51.100.1"],
        ["turn": "198.51.100.1", "turn_user": "alice"],
        ["turn": "198.51.100.1:0", "turn_secret": "s"],
        ["turn": "198.51.100.1", "turn_secret": "s", "turn_transport": "sctp"],
    ])
    func badConfigIsRefused(_ values: [String: String]) {
        #expect(throws: ConfigurationError.self) { _ = try ICEServers(values: values) }
    }

    @Test func theConfigFileKnowsTheKeysAndValidatesThem() throws {
        let good = try Configuration(parsing: "turn = 198.51.100.1:3478\nturn_user = alice\nturn_password = pw\nturn_transport = udp\n")
        #expect(try good.callSettings().ice.turn?.transport == .udp)
        let bad = try Configuration(parsing: "turn = 198.51.100.1:3478\n")
        #expect(throws: ConfigurationError.self) { _ = try bad.callSettings() }
    }

    @Test(arguments: [
        ("a=candidate:1 1 UDP 2015363327 10.0.1.2 43210 typ host",
         ICECandidate(kind: .host, foundation: "1", priority: 2_015_363_327, host: "10.0.1.2", port: 43210)),
        ("a=candidate:2 1 UDP 1679819007 203.0.113.10 61000 typ srflx raddr 10.0.1.2 rport 43210",
         ICECandidate(kind: .serverReflexive, foundation: "2", priority: 1_679_819_007, host: "203.0.113.10", port: 61000)),
        ("candidate:3 1 udp 8388607 198.51.100.1 49152 typ relay",
         ICECandidate(kind: .relayed, foundation: "3", priority: 8_388_607, host: "198.51.100.1", port: 49152)),
        ("a=candidate:4 1 UDP 1 2001:db8::2 5000 typ prflx",
         ICECandidate(kind: .peerReflexive, foundation: "4", priority: 1, host: "2001:db8::2", port: 5000)),
    ])
    func libniceLinesParse(_ line: String, _ expected: ICECandidate) {
        #expect(ICECandidateLine.parse(line) == expected)
        #expect(ICECandidateLine.parse(ICECandidateLine.format(expected)) == expected)
    }

    @Test(arguments: [
        "", "a=candidate:1 2 UDP 1 10.0.1.2 5000 typ host", "a=candidate:1 1 TCP 1 10.0.1.2 5000 typ host",
        "a=candidate:1 1 UDP 0 10.0.1.2 5000 typ host", "a=candidate:1 1 UDP 1 10.0.1.2 0 typ host",
        "a=candidate:1 1 UDP 1 name.example 5000 typ host", "a=candidate:1 1 UDP 1 10.0.1.2 5000 typ other",
        "a=candidate:x-y 1 UDP 1 10.0.1.2 5000 typ host", "a=ice-ufrag:abcd",
    ])
    func otherLinesAreRefused(_ line: String) {
        #expect(ICECandidateLine.parse(line) == nil)
    }

    @Test(arguments: [
        (ICECandidate.Kind.host, ICECandidate.Kind.host, CallMediaPath.host),
        (.serverReflexive, .host, .srflx),
        (.serverReflexive, .peerReflexive, .prflx),
        (.relayed, .peerReflexive, .relay),
        (.host, .relayed, .relay),
    ])
    func pairKindsNameThePath(_ local: ICECandidate.Kind, _ remote: ICECandidate.Kind, _ path: CallMediaPath) {
        #expect(ICESelectedPair(localKind: local, local: "a", remoteKind: remote, remote: "b").path == path)
    }
}
