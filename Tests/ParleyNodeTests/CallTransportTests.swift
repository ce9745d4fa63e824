@testable import ParleyNode
import ParleyWire
import Foundation
import Testing

/// What a call's transport does with a peer's candidates before any ICE agent runs.
@Suite("Call transport")
struct CallTransportTests {
    static func body(_ count: Int) -> CallCandidates {
        CallCandidates(ufrag: "abcd", password: "abcdefghijklmnopqrstuv", candidates: (0 ..< count).map {
            ICECandidate(kind: .host, foundation: "\($0 + 1)", priority: 100, host: "192.0.2.\($0 % 250 + 1)", port: 5000)
        }, complete: false)
    }

    @Test func aPeerCannotMakeACallCheckMoreThan64Candidates() {
        let transport = CallTransport()
        defer { transport.close() }
        for _ in 0 ..< 3 { transport.addRemote(Self.body(32)) }
        #expect(transport.remoteCandidateCount == CallTransport.maxRemoteCandidates)
    }

    @Test func withoutAPairMediaWaitsAndThenUsesTheLink() {
        let transport = CallTransport()
        defer { transport.close() }
        #expect(transport.path == .link)
        #expect(!transport.iceConnected && !transport.usingLink)
        transport.send([1, 2, 3])   // no pair, not yet the link: dropped, not queued
        transport.receivedThroughLink([4, 5])
        #expect(transport.usingLink, "the peer sends through the link: so do we")
        #expect(transport.counts.link == 1)
    }

    @Test("A STUN server name that does not resolve is reported, and the agent is made all the same, off the caller's thread",
          .timeLimit(.minutes(1)))
    func anUnresolvableServerIsReportedAndTheAgentStillGathers() async throws {
        let transport = CallTransport()
        defer { transport.close() }
        // RFC 6761: names under .invalid never resolve.
        transport.startICE(controlling: true, ipv6: false, servers: ICEServers(stun: [ICEServerAddress(host: "stun.invalid", port: 3478)]))
        var gathered = transport.signalling.makeAsyncIterator()
        let first = await gathered.next()
        #expect(first != nil, "the agent ran and gathered")
        #expect(transport.errors.contains { $0.contains("stun.invalid") }, "\(transport.errors)")
    }
}
