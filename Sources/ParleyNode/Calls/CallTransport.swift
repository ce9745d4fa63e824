import Foundation
import NIOConcurrencyHelpers
import ParleyMedia
import ParleyWire

/// Carries one call's SRTP datagrams: over the pair ICE selected, or, when ICE has found no
/// pair in time, through the link as DATAGRAM frames (the last resort). Receives from both at
/// all times. Sending never blocks: datagrams are dropped when the link's queue is full, and
/// before a path exists (media is late, not queued).
///
/// ICE restarts (after an address change, or when media stops): this side's agent is replaced
/// by a fresh one (new credentials, candidates gathered again on today's addresses) and the
/// media goes through the link until the new agent connects a pair. Each agent checks the
/// candidates of one agent of the peer, told apart by their username fragment: candidates under
/// a new fragment mean the peer restarted, and this side restarts too unless its own agent is
/// fresh (both restarted at once); fragments of agents already replaced are ignored.
final class CallTransport: MediaTransport, Sendable {
    private struct State {
        var agent: ICEAgent?
        /// How the agent was made (a restart makes the next one the same way).
        var setup: ICESetup?
        /// The peer agent's username fragment that our agent checks against (nil: none yet).
        var remoteUfrag: String?
        /// Fragments of the peer's agents replaced since (their late candidates are ignored).
        var retiredRemote: [String] = []
        var restarts = 0
        var lastRestart: ContinuousClock.Instant?
        /// The current agent's candidate frames sent so far (sent again over a new link).
        var localBodies: [CallCandidates] = []
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

    /// What an ICE agent is made from.
    struct ICESetup: Sendable {
        var controlling: Bool
        var ipv6: Bool
        var servers: ICEServers
    }

    /// The most fragments of replaced peer agents remembered.
    static let maxRetired = 16

    /// ICE agents are made on this queue, never on the caller's thread: resolving a STUN or
    /// TURN server's name blocks (for seconds when DNS is slow or unreachable), which must not
    /// hold the call actor or a thread of Swift's cooperative pool.
    private static let setupQueue = DispatchQueue(label: "parley.ice-setup")

    /// Starts this side's ICE agent (the caller controls) with the configured servers and the
    /// host addresses of the link's family (`ipv6`, else IPv4); on
    /// failure the call keeps the link as its path and the error shows in `call status`.
    /// Returns at once: the agent is made on ``setupQueue`` (the peer's candidates that come
    /// meanwhile wait for it), and one that a restart or `close()` overtook is closed unused.
    func startICE(controlling: Bool, ipv6: Bool, servers: ICEServers) {
        // Events of an agent that a restart replaced are not this call's any more.
        let generation = state.withLockedValue { state -> Int in
            state.setup = ICESetup(controlling: controlling, ipv6: ipv6, servers: servers)
            return state.restarts
        }
        Self.setupQueue.async { [self] in
            makeAgent(controlling: controlling, ipv6: ipv6, servers: servers, generation: generation)
        }
    }

    /// Resolves the servers and makes the agent of restart `generation` (on ``setupQueue``).
    private func makeAgent(controlling: Bool, ipv6: Bool, servers: ICEServers, generation: Int) {
        guard state.withLockedValue({ !$0.closed && $0.restarts == generation }) else { return }
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
                self?.handle(event, generation: generation)
            }, onReceive: { [weak self] bytes in
                self?.receivedICE(bytes)
            })
            let pending = state.withLockedValue { state -> [CallCandidates]? in
                // Closed, or restarted while this agent was being made: a newer one is on its way.
                guard !state.closed, state.restarts == generation else { return nil }
                state.agent = agent
                defer { state.pendingRemote = [] }
                // Candidates that came before the agent: those of the peer's newest agent.
                if state.remoteUfrag == nil, let newest = state.pendingRemote.last { state.remoteUfrag = newest.ufrag }
                return state.pendingRemote.filter { $0.ufrag == state.remoteUfrag }
            }
            guard let pending else {
                Self.closeAside(agent)
                return
            }
            for body in pending { agent.addRemote(body) }
        } catch {
            note(error)
            useLink()
        }
    }

    /// The peer's ICE credentials and candidates (kept until the agent runs). Candidates under
    /// a new username fragment are a restart of the peer's agent: ours restarts too, unless it
    /// has not yet heard of any peer agent (then it takes these).
    func addRemote(_ body: CallCandidates) {
        enum Step { case add(ICEAgent?, CallCandidates), restart, ignore }
        let step = state.withLockedValue { state -> Step in
            guard !state.closed, !state.retiredRemote.contains(body.ufrag) else { return .ignore }
            if state.agent != nil, let current = state.remoteUfrag, current != body.ufrag { return .restart }
            if state.agent != nil { state.remoteUfrag = body.ufrag }
            var kept = body
            kept.candidates = Array(body.candidates.prefix(max(0, Self.maxRemoteCandidates - state.remoteCandidates)))
            state.remoteCandidates += kept.candidates.count
            if state.agent == nil, state.pendingRemote.count < Self.maxPendingRemote {
                state.pendingRemote.append(kept)
            }
            return .add(state.agent, kept)
        }
        switch step {
        case .add(let agent, let kept):
            agent?.addRemote(kept)
        case .restart:
            restartICE(.peerRestarted)
            addRemote(body)
        case .ignore:
            break
        }
    }

    /// Why ICE restarts.
    enum RestartCause: Sendable {
        /// Candidates came under a new username fragment: always followed.
        case peerRestarted
        /// The link came back from other addresses.
        case linkReturned
        /// No media for a while with the link up: not while the agent is fresh (it has heard of
        /// no peer agent yet), nor within ``minimumRestartInterval`` of the last restart.
        case mediaStopped
    }

    /// Replaces this side's ICE agent by a fresh one (new credentials, candidates gathered on
    /// the addresses the host has now); media goes through the link until it connects a pair.
    /// Returns whether it restarted (see ``RestartCause`` for when it does not).
    @discardableResult
    func restartICE(_ cause: RestartCause, ipv6: Bool? = nil) -> Bool {
        let now = ContinuousClock.now
        let step = state.withLockedValue { state -> (old: ICEAgent?, setup: ICESetup)? in
            guard !state.closed, var setup = state.setup else { return nil }
            let sinceLast = state.lastRestart.map { now - $0 }
            switch cause {
            case .peerRestarted, .linkReturned:
                break
            case .mediaStopped:
                guard state.remoteUfrag != nil else { return nil }
                if let sinceLast, sinceLast < Self.minimumRestartInterval { return nil }
            }
            if let ipv6 { setup.ipv6 = ipv6 }
            if let retired = state.remoteUfrag {
                state.retiredRemote.append(retired)
                if state.retiredRemote.count > Self.maxRetired { state.retiredRemote.removeFirst() }
            }
            state.remoteUfrag = nil
            state.pendingRemote = []
            state.remoteCandidates = 0
            state.pair = nil
            state.usingLink = true
            state.restarts += 1
            state.lastRestart = now
            state.localBodies = []
            defer { state.agent = nil }
            return (state.agent, setup)
        }
        guard let step else { return false }
        if let old = step.old { Self.closeAside(old) }
        startICE(controlling: step.setup.controlling, ipv6: step.setup.ipv6, servers: step.setup.servers)
        return true
    }

    /// Restarts closer together than this are not made on this side's own initiative.
    static let minimumRestartInterval: Duration = .seconds(4)

    /// Sends the current agent's candidates again (a new link: those sent while no link was up
    /// are lost).
    func resendCandidates() {
        for body in state.withLockedValue({ $0.localBodies }) { signallingInput.yield(body) }
    }

    /// How many times ICE restarted in this call.
    var restarts: Int { state.withLockedValue { $0.restarts } }
    /// Whether the agent has heard of no peer agent since it started (its own candidates may
    /// have gone into a link that was down).
    var awaitingPeerCandidates: Bool { state.withLockedValue { $0.agent != nil && $0.remoteUfrag == nil } }

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

    private func handle(_ event: ICEAgent.Event, generation: Int) {
        guard state.withLockedValue({ $0.restarts == generation }) else { return }
        switch event {
        case .candidates(let body):
            state.withLockedValue { state in
                if state.localBodies.count < Self.maxPendingRemote { state.localBodies.append(body) }
            }
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
        if let agent { Self.closeAside(agent) }
    }

    /// Closes `agent` on a thread of its own: closing waits for the TURN server to release the
    /// allocation, which is not the caller's to wait for.
    private static func closeAside(_ agent: ICEAgent) {
        Thread.detachNewThread { agent.close() }
    }
}
