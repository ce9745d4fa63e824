import Foundation
import NIOConcurrencyHelpers
import ParleyMedia
import ParleyWire

/// Carries one call's SRTP datagrams: over the pair ICE selected, or, when ICE has found no
/// pair in time, through the link as DATAGRAM frames (the last resort). Receives from both at
/// all times. Sending never blocks: datagrams are dropped when the link's queue is full, and
/// before a path exists (media is late, not queued).
final class CallTransport: MediaTransport, Sendable {
    private struct State {
        var agent: ICEAgent?
        var usingLink = false
        var pair: ICESelectedPair?
        var receiver: (@Sendable ([UInt8]) -> Void)?
        var pendingRemote: [CallCandidates] = []
        var remoteCandidates = 0
        var lastICEArrival: ContinuousClock.Instant?
        var iceDatagrams = 0
        var linkDatagrams = 0
        var errors: [String] = []
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    /// Datagrams waiting for the link, newest kept.
    let tunnel: AsyncStream<[UInt8]>
    private let tunnelInput: AsyncStream<[UInt8]>.Continuation
    /// This side's CALL_CANDIDATES bodies, in the order gathered.
    let signalling: AsyncStream<CallCandidates>
    private let signallingInput: AsyncStream<CallCandidates>.Continuation

    /// The most remote candidate frames kept before ICE starts (a peer cannot grow memory).
    static let maxPendingRemote = 64
    /// The most remote candidates a call checks (a peer cannot make us probe the world).
    static let maxRemoteCandidates = 64
    /// The most ICE errors kept for `call status`.
    static let maxErrors = 8

    init() {
        (tunnel, tunnelInput) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(256))
        (signalling, signallingInput) = AsyncStream.makeStream(of: CallCandidates.self, bufferingPolicy: .bufferingOldest(256))
    }

    /// Starts this side's ICE agent (the caller controls) with the configured servers and the
    /// host addresses of the link's family (`ipv6`, else IPv4); on
    /// failure the call keeps the link as its path and the error shows in `call status`.
    func startICE(controlling: Bool, ipv6: Bool, servers: ICEServers) {
        var stun: ICEServerAddress?
        if let first = servers.stun.first {
            stun = first.resolvedIPv4()
            if stun == nil { note(ICEError.unresolvable(key: "stun", host: first.host)) }
        }
        var turn: (address: ICEServerAddress, credentials: TURNCredentials, transport: TURNTransport)?
        if let server = servers.turn {
            if let address = server.address.resolvedIPv4() {
                turn = (address, server.credentials(), server.transport)
            } else {
                note(ICEError.unresolvable(key: "turn", host: server.address.host))
            }
        }
        do {
            let agent = try ICEAgent(controlling: controlling, ipv6: ipv6, stun: stun, turn: turn, onEvent: { [weak self] event in
                self?.handle(event)
            }, onReceive: { [weak self] bytes in
                self?.receivedICE(bytes)
            })
            let pending = state.withLockedValue { state -> [CallCandidates]? in
                guard !state.closed else { return nil }
                state.agent = agent
                defer { state.pendingRemote = [] }
                return state.pendingRemote
            }
            guard let pending else {
                agent.close()
                return
            }
            for body in pending { agent.addRemote(body) }
        } catch {
            note(error)
            useLink()
        }
    }

    /// The peer's ICE credentials and candidates (kept until the agent runs).
    func addRemote(_ body: CallCandidates) {
        let (agent, kept) = state.withLockedValue { state -> (ICEAgent?, CallCandidates) in
            var kept = body
            kept.candidates = Array(body.candidates.prefix(max(0, Self.maxRemoteCandidates - state.remoteCandidates)))
            state.remoteCandidates += kept.candidates.count
            if state.agent == nil, !state.closed, state.pendingRemote.count < Self.maxPendingRemote {
                state.pendingRemote.append(kept)
            }
            return (state.agent, kept)
        }
        agent?.addRemote(kept)
    }

    /// Who gets what arrives.
    func connect(receiver: @escaping @Sendable ([UInt8]) -> Void) {
        state.withLockedValue { $0.receiver = receiver }
    }

    /// The path media takes now (`link` until ICE has a pair).
    var path: CallMediaPath {
        state.withLockedValue { state in
            guard !state.usingLink, let pair = state.pair else { return .link }
            return pair.path
        }
    }

    /// The selected pair (while ICE carries the media).
    var selectedPair: ICESelectedPair? { state.withLockedValue { $0.usingLink ? nil : $0.pair } }
    /// Whether ICE has connected a pair.
    var iceConnected: Bool { state.withLockedValue { $0.pair != nil } }
    /// Whether media goes through the link.
    var usingLink: Bool { state.withLockedValue { $0.usingLink } }
    var lastICEArrival: ContinuousClock.Instant? { state.withLockedValue { $0.lastICEArrival } }
    var counts: (ice: Int, link: Int) { state.withLockedValue { ($0.iceDatagrams, $0.linkDatagrams) } }
    /// How many of the peer's candidates were taken (at most ``maxRemoteCandidates``).
    var remoteCandidateCount: Int { state.withLockedValue { $0.remoteCandidates } }
    /// What went wrong with ICE, oldest first.
    var errors: [String] { state.withLockedValue { $0.errors } }

    /// Sends the media through the link (until ICE connects a pair).
    func useLink() {
        state.withLockedValue { $0.usingLink = true }
    }

    func send(_ datagram: [UInt8]) {
        let (usingLink, agent) = state.withLockedValue { ($0.usingLink, $0.agent) }
        if !usingLink, let agent, agent.send(datagram) { return }
        if usingLink { tunnelInput.yield(datagram) }
    }

    private func receivedICE(_ bytes: [UInt8]) {
        let receiver = state.withLockedValue { state -> (@Sendable ([UInt8]) -> Void)? in
            state.lastICEArrival = .now
            state.iceDatagrams += 1
            return state.receiver
        }
        receiver?(bytes)
    }

    /// A datagram that came through the link: unless ICE has a pair, we answer that way too.
    func receivedThroughLink(_ bytes: [UInt8]) {
        let receiver = state.withLockedValue { state -> (@Sendable ([UInt8]) -> Void)? in
            if state.pair == nil { state.usingLink = true }
            state.linkDatagrams += 1
            return state.receiver
        }
        receiver?(bytes)
    }

    private func handle(_ event: ICEAgent.Event) {
        switch event {
        case .candidates(let body):
            signallingInput.yield(body)
        case .connected(let pair):
            state.withLockedValue {
                $0.pair = pair
                $0.usingLink = false
            }
        case .problem(let error):
            if error == .checksFailed { state.withLockedValue { $0.pair = nil } }
            note(error)
        }
    }

    private func note(_ error: some Error) {
        let text = "\(error)"
        state.withLockedValue { state in
            guard !state.errors.contains(text) else { return }
            if state.errors.count >= Self.maxErrors { state.errors.removeFirst() }
            state.errors.append(text)
        }
    }

    /// Ends the call's transport: the ICE agent is closed (TURN allocations released).
    func close() {
        tunnelInput.finish()
        signallingInput.finish()
        let agent = state.withLockedValue { state -> ICEAgent? in
            state.closed = true
            state.receiver = nil
            defer { state.agent = nil }
            return state.agent
        }
        // Closing waits for the TURN server to release the allocation: not on the caller's thread.
        if let agent { Thread.detachNewThread { agent.close() } }
    }
}
