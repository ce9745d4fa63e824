import CNice
import Foundation
import NIOConcurrencyHelpers
import ParleyWire

/// One call's ICE agent (libnice, RFC 5245, one stream with one component): gathers host,
/// server-reflexive and relayed candidates, checks pairs with the peer's candidates and
/// carries datagrams over the selected pair.
///
/// Its GLib main context runs on a thread of its own (never on Swift's cooperative pool);
/// libnice's own lock makes `send`, `addRemote` and `close` safe from any thread. Events and
/// received datagrams are handed to the closures on that thread: they must not block.
final class ICEAgent: @unchecked Sendable {
    /// What the agent reports.
    enum Event: Sendable {
        /// Local candidates to send to the peer (the last batch has `complete` set).
        case candidates(CallCandidates)
        /// A pair carries media (reported again when the selected pair changes).
        case connected(ICESelectedPair)
        /// Something the user should know (a missing relay, failed checks).
        case problem(ICEError)
    }

    /// Called on the agent's thread.
    private final class Callbacks: @unchecked Sendable {
        let onEvent: @Sendable (Event) -> Void
        let onReceive: @Sendable ([UInt8]) -> Void
        weak var agent: ICEAgent?
        init(onEvent: @escaping @Sendable (Event) -> Void, onReceive: @escaping @Sendable ([UInt8]) -> Void) {
            self.onEvent = onEvent
            self.onReceive = onReceive
        }
    }

    private struct State {
        var connected = false
        var closed = false
        var relayGathered = false
        var pair: ICESelectedPair?
    }

    // These pointers are set once in init and freed once the loop thread has ended.
    private let context: OpaquePointer
    private let loop: OpaquePointer
    private let agent: OpaquePointer
    private let stream: guint
    private let callbacks: Callbacks
    private let retained: Unmanaged<Callbacks>
    private let finished = DispatchSemaphore(value: 0)
    private let state = NIOLockedValueBox(State())
    /// Held while libnice is called from outside its thread, and while the agent is freed:
    /// true once it is (no call may reach a freed agent).
    private let freed = NIOLockedValueBox(false)
    /// This side's ICE username fragment and password.
    let ufrag: String
    let password: String
    private let turnServer: String?

    /// Makes the agent and starts gathering. `turn` and `stun` are numeric addresses; host
    /// candidates are of one family (`ipv6` or IPv4), the link's.
    init(controlling: Bool, ipv6: Bool, stun: ICEServerAddress?, turn: (address: ICEServerAddress, credentials: TURNCredentials, transport: TURNTransport)?,
         onEvent: @escaping @Sendable (Event) -> Void, onReceive: @escaping @Sendable ([UInt8]) -> Void) throws(ICEError) {
        guard let context = g_main_context_new() else { throw .agentUnavailable("no GLib main context") }
        guard let loop = g_main_loop_new(context, 0) else {
            g_main_context_unref(context)
            throw .agentUnavailable("no GLib main loop")
        }
        guard let agent = parley_nice_agent_new(context, controlling ? 1 : 0) else {
            g_main_loop_unref(loop)
            g_main_context_unref(context)
            throw .agentUnavailable("nice_agent_new failed")
        }
        let stream = nice_agent_add_stream(agent, 1)
        var ufragBuffer = [CChar](repeating: 0, count: 300), passwordBuffer = [CChar](repeating: 0, count: 300)
        guard stream > 0, parley_nice_local_credentials(agent, stream, &ufragBuffer, ufragBuffer.count, &passwordBuffer, passwordBuffer.count) == 0 else {
            parley_g_object_unref(agent)
            g_main_loop_unref(loop)
            g_main_context_unref(context)
            throw .agentUnavailable("no ICE stream")
        }
        self.context = context
        self.loop = loop
        self.agent = agent
        self.stream = stream
        ufrag = String(decoding: ufragBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        password = String(decoding: passwordBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        turnServer = turn.map { "\($0.address)" }
        callbacks = Callbacks(onEvent: onEvent, onReceive: onReceive)
        retained = Unmanaged.passRetained(callbacks)
        callbacks.agent = self

        // A STUN server as well as TURN costs seconds of gathering (its answer may lack a
        // FINGERPRINT that libnice wants), and TURN's Allocate already yields the srflx address.
        _ = parley_nice_add_host_addresses(agent, ipv6 ? parley_af_inet6() : parley_af_inet())
        if turn == nil, let stun {
            parley_nice_set_stun(agent, stun.host, guint(stun.port))
        }
        if let turn {
            let type: NiceRelayType = turn.transport == .tcp ? NICE_RELAY_TYPE_TURN_TCP : NICE_RELAY_TYPE_TURN_UDP
            _ = nice_agent_set_relay_info(agent, stream, 1, turn.address.host, guint(turn.address.port),
                                          turn.credentials.username, turn.credentials.password, type)
        }
        let user = retained.toOpaque()
        parley_nice_connect(agent, user, { _, _, user in
            ICEAgent.callbacks(user)?.agent?.gatheringDone()
        }, { _, _, _, state, user in
            ICEAgent.callbacks(user)?.agent?.componentState(state)
        }, { _, _, _, _, _, user in
            ICEAgent.callbacks(user)?.agent?.pairSelected()
        }, { _, candidate, user in
            guard let candidate else { return }
            ICEAgent.callbacks(user)?.agent?.newLocal(candidate)
        })
        _ = nice_agent_attach_recv(agent, stream, 1, context, { _, _, _, length, buffer, user in
            guard let buffer, length > 0, let callbacks = ICEAgent.callbacks(user) else { return }
            let bytes = buffer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { Array(UnsafeBufferPointer(start: $0, count: Int(length))) }
            callbacks.onReceive(bytes)
        }, user)

        let loopBox = PointerBox(loop), done = finished
        let thread = Thread {
            Thread.current.name = "parley-ice"   // Linux applies a name set on the thread itself
            g_main_loop_run(loopBox.pointer)
            done.signal()
        }
        thread.start()
        _ = nice_agent_gather_candidates(agent, stream)
    }

    private struct PointerBox: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
    }

    private static func callbacks(_ user: UnsafeMutableRawPointer?) -> Callbacks? {
        guard let user else { return nil }
        return Unmanaged<Callbacks>.fromOpaque(user).takeUnretainedValue()
    }

    /// Whether a pair is connected (media may flow).
    var isConnected: Bool { state.withLockedValue { $0.connected && !$0.closed } }

    /// The pair in use, once connected.
    var selectedPair: ICESelectedPair? { state.withLockedValue { $0.pair } }

    /// Sends a datagram over the selected pair; false when there is none yet.
    @discardableResult
    func send(_ datagram: [UInt8]) -> Bool {
        guard isConnected else { return false }
        return freed.withLockedValue { freed in
            guard !freed else { return false }
            let sent = datagram.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { nice_agent_send(agent, stream, 1, guint(buffer.count), $0.baseAddress) }
            }
            return sent >= 0
        }
    }

    /// The peer's credentials and candidates (any number of frames, in order).
    func addRemote(_ body: CallCandidates) {
        guard !state.withLockedValue({ $0.closed }) else { return }
        freed.withLockedValue { freed in
            guard !freed else { return }
            _ = nice_agent_set_remote_credentials(agent, stream, body.ufrag, body.password)
            for candidate in body.candidates {
                _ = parley_nice_add_remote(agent, stream, ICECandidateLine.format(candidate))
            }
        }
    }

    /// Releases TURN allocations, stops the thread and frees the agent. Waits at most 2 s.
    func close() {
        let first = state.withLockedValue { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return }
        parley_nice_close(agent, loop)
        if finished.wait(timeout: .now() + 2) == .timedOut {
            g_main_loop_quit(loop)
            _ = finished.wait(timeout: .now() + 2)
        }
        freed.withLockedValue { freed in
            freed = true
            parley_g_object_unref(agent)
        }
        g_main_loop_unref(loop)
        g_main_context_unref(context)
        retained.release()
    }

    deinit {
        close()
    }

    // MARK: On the agent's thread

    private func newLocal(_ candidate: UnsafeMutablePointer<NiceCandidate>) {
        var buffer = [CChar](repeating: 0, count: 512)
        guard parley_nice_candidate_sdp(agent, candidate, &buffer, buffer.count) == 0 else { return }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let parsed = ICECandidateLine.parse(line) else { return }
        if parsed.kind == .relayed { state.withLockedValue { $0.relayGathered = true } }
        callbacks.onEvent(.candidates(CallCandidates(ufrag: ufrag, password: password, candidates: [parsed], complete: false)))
    }

    private func gatheringDone() {
        callbacks.onEvent(.candidates(CallCandidates(ufrag: ufrag, password: password, candidates: [], complete: true)))
        if let turnServer, !state.withLockedValue({ $0.relayGathered }) {
            callbacks.onEvent(.problem(.noRelayCandidate(server: turnServer)))
        }
    }

    private func componentState(_ raw: guint) {
        switch NiceComponentState(raw) {
        case NICE_COMPONENT_STATE_CONNECTED, NICE_COMPONENT_STATE_READY:
            pairSelected()
        case NICE_COMPONENT_STATE_FAILED:
            state.withLockedValue { $0.connected = false }
            callbacks.onEvent(.problem(.checksFailed))
        default:
            break
        }
    }

    private func pairSelected() {
        let length = Int(parley_nice_address_string_length())
        var localHost = [CChar](repeating: 0, count: length), remoteHost = [CChar](repeating: 0, count: length)
        var localType: Int32 = 0, remoteType: Int32 = 0
        var localPort: guint = 0, remotePort: guint = 0
        guard parley_nice_selected_pair(agent, stream, &localType, &localHost, &localPort, &remoteType, &remoteHost, &remotePort) == 0 else { return }
        func address(_ host: [CChar], _ port: guint) -> String {
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return text.contains(":") ? "[\(text)]:\(port)" : "\(text):\(port)"
        }
        let pair = ICESelectedPair(localKind: Self.kind(localType), local: address(localHost, localPort),
                                   remoteKind: Self.kind(remoteType), remote: address(remoteHost, remotePort))
        let changed = state.withLockedValue { state -> Bool in
            defer { state.connected = true; state.pair = pair }
            return state.pair != pair || !state.connected
        }
        if changed { callbacks.onEvent(.connected(pair)) }
    }

    /// libnice's NiceCandidateType (host, srflx, prflx, relayed).
    static func kind(_ raw: Int32) -> ICECandidate.Kind {
        switch raw {
        case Int32(NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE.rawValue): .serverReflexive
        case Int32(NICE_CANDIDATE_TYPE_PEER_REFLEXIVE.rawValue): .peerReflexive
        case Int32(NICE_CANDIDATE_TYPE_RELAYED.rawValue): .relayed
        default: .host
        }
    }
}
