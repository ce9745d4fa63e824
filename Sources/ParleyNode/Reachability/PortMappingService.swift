import Dispatch
import Logging
import NIOConcurrencyHelpers
import ParleyCore

/// Keeps the node's TCP listen port mapped on the router (`port_mapping = auto`): the I/O
/// half of port mapping. ``PortMappingSchedule`` decides when to map, renew, retry and
/// remove; the router calls block (UPnP discovery waits its delay, NAT-PMP waits on a
/// socket), so they run on a serial queue of this service's own, outside Swift's
/// cooperative pool, one at a time. `changed` hears every new, renewed-elsewhere or lost
/// mapping (nil when none is held).
final class PortMappingService: Sendable {
    private struct State {
        var schedule = PortMappingSchedule()
        var running = false
        var done = false
        /// Failures already reported at notice level (the first of a series); later ones are debug.
        var reported = false
    }

    let internalPort: Int
    private let clients: [PortMappingMethod: any PortMappingClient]
    private let changed: @Sendable (PortMapping?) -> Void
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let wakeup = Wakeup()
    private let finished = Wakeup()
    private let queue = DispatchQueue(label: "parley.port-mapping")
    /// How long ``stop()`` waits for the removal.
    static let stopTimeout: Duration = .seconds(3)

    init(internalPort: Int, clients: [any PortMappingClient] = [NATPMPClient(), UPnPClient()],
         logger: Logger, changed: @escaping @Sendable (PortMapping?) -> Void) {
        self.internalPort = internalPort
        self.clients = Dictionary(clients.map { ($0.method, $0) }, uniquingKeysWith: { first, _ in first })
        self.changed = changed
        self.logger = logger
    }

    /// Whether `host` is a loopback address (or name): a node listening there cannot be
    /// reached through the router, so it maps nothing.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        return host.hasPrefix("127.") || host == "::1" || host == "localhost" || host == "0:0:0:0:0:0:0:1"
    }

    /// The mapping held now, if any.
    var mapping: PortMapping? { state.withLockedValue { $0.schedule.mapping } }

    /// Maps, renews and retries until stopped (or cancelled), then removes the mapping.
    func run() async {
        let alreadyStopped = state.withLockedValue { state -> Bool in
            state.running = true
            return state.schedule.isStopped
        }
        defer {
            state.withLockedValue { $0.done = true }
            finished.signal()
        }
        if alreadyStopped { return }
        while true {
            if Task.isCancelled { state.withLockedValue { $0.schedule.stop() } }
            let (step, before, after) = state.withLockedValue { state in
                let before = state.schedule.mapping
                let step = state.schedule.next(at: .now)
                return (step, before, state.schedule.mapping)
            }
            if before != nil, after == nil {
                logger.notice("port mapping: the lease of \(before?.external.description ?? "") ran out")
                changed(nil)
            }
            switch step {
            case .map(let methods):
                await map(trying: methods)
            case .wait(let until):
                await wakeup.wait(timeout: ContinuousClock.now.duration(to: until))
            case .remove(let mapping):
                await remove(mapping)
            case .finished:
                return
            }
        }
    }

    /// Removes the mapping (waiting up to ``stopTimeout``) and ends ``run()``.
    func stop() async {
        let running = state.withLockedValue { state -> Bool in
            state.schedule.stop()
            return state.running && !state.done
        }
        wakeup.signal()
        guard running else { return }
        await finished.wait(timeout: Self.stopTimeout)
    }

    private func map(trying methods: [PortMappingMethod]) async {
        let internalPort = internalPort
        let previous = mapping
        var errors: [PortMappingError] = []
        for method in methods {
            guard let client = clients[method] else { continue }
            // Renewals ask for the external port held; new mappings for the listen port itself.
            let externalPort = previous?.externalPort ?? internalPort
            let result = await blocking { () throws(PortMappingError) -> PortMapping in
                try client.map(internalPort: internalPort, externalPort: externalPort,
                               lifetime: PortMappingSchedule.requestedLifetime)
            }
            switch result {
            case .success(let mapping):
                if !errors.isEmpty { logger.debug("port mapping: \(errors.map(\.description).joined(separator: "; "))") }
                let wasReported = state.withLockedValue { state -> Bool in
                    state.schedule.succeeded(mapping, at: .now)
                    defer { state.reported = false }
                    return state.reported
                }
                if mapping.external != previous?.external || mapping.method != previous?.method {
                    logger.info("port mapping: \(mapping)")
                    changed(mapping)
                } else {
                    logger.debug("port mapping renewed: \(mapping)\(wasReported ? " (after failures)" : "")")
                }
                return
            case .failure(let error):
                errors.append(error)
            }
            if errors.last == .noDefaultRoute { break }  // no router at all: nothing else to ask
        }
        let (first, lost) = state.withLockedValue { state -> (Bool, Bool) in
            state.schedule.failed(at: .now)
            defer { state.reported = true }
            return (!state.reported, state.schedule.mapping == nil && previous != nil)
        }
        let text = errors.map(\.description).joined(separator: "; ")
        if errors == [.noDefaultRoute] {
            if first { logger.info("port mapping: \(text)") }
        } else if first {
            logger.notice("port mapping failed: \(text.isEmpty ? "no method" : text); \(PortMappingError.advice)")
        } else {
            logger.debug("port mapping failed again: \(text)")
        }
        if lost { changed(nil) }
    }

    private func remove(_ mapping: PortMapping) async {
        let client = clients[mapping.method]
        let result = await blocking { () throws(PortMappingError) -> Void in try client?.unmap(mapping) }
        state.withLockedValue { $0.schedule.removed() }
        switch result {
        case .success:
            logger.info("port mapping removed: \(mapping.external)")
        case .failure(let error):
            logger.notice("port mapping \(mapping.external) not removed: \(error) (the router drops it when its lease ends)")
        }
        changed(nil)
    }

    /// Runs a blocking router call on this service's queue and waits for it without holding
    /// a thread of the cooperative pool.
    private func blocking<Value: Sendable>(
        _ work: @escaping @Sendable () throws(PortMappingError) -> Value
    ) async -> Result<Value, PortMappingError> {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(PortMappingError) -> Value in try work() })
            }
        }
    }
}
