import Foundation
import Logging
import NIOConcurrencyHelpers
import ParleyCore
import ParleyNet
import ParleyStore

/// Keeps a link up to every contact: one task per contact dials its known
/// addresses whenever no link exists, backing off (capped, with jitter)
/// after failures, and waking at once when there is something to send.
final class ContactDialer: Sendable {
    private let database: ParleyDatabase
    private let registry: LinkRegistry
    private let connector: PeerConnector
    private let runner: PeerSessionRunner
    private let events: EventHub
    private let logger: Logger
    /// Where contacts were heard on the LAN (tried before their stored addresses).
    let hints: LANHints
    /// The shortest time between two dial attempts to one contact.
    static let minimumInterval: Duration = .seconds(1)

    private let dialers = NIOLockedValueBox([ContactID: (task: Task<Void, Never>, wakeup: Wakeup)]())
    /// Contacts whose registered link is known dead: dialled once although it is still registered.
    private let stranded = NIOLockedValueBox(Set<ContactID>())

    init(database: ParleyDatabase, registry: LinkRegistry, connector: PeerConnector, runner: PeerSessionRunner,
         events: EventHub, hints: LANHints = LANHints(), logger: Logger) {
        self.hints = hints
        self.database = database
        self.registry = registry
        self.connector = connector
        self.runner = runner
        self.events = events
        self.logger = logger
    }

    /// Starts dialers for new contacts and stops those of removed or blocked ones.
    /// Returns the contacts whose dialer was just started (they dial at once anyway).
    @discardableResult
    func sync(with contacts: [Contact]) -> Set<ContactID> {
        let wanted = Set(contacts.filter { $0.trust != .blocked }.map(\.id))
        let (stopped, started) = dialers.withLockedValue { dialers -> ([Task<Void, Never>], Set<ContactID>) in
            let gone = dialers.keys.filter { !wanted.contains($0) }
            let tasks = gone.compactMap { dialers.removeValue(forKey: $0)?.task }
            var started: Set<ContactID> = []
            for id in wanted where dialers[id] == nil {
                let wakeup = Wakeup()
                let task = Task { [self] in await self.keepLinked(id, wakeup: wakeup) }
                dialers[id] = (task, wakeup)
                started.insert(id)
            }
            return (tasks, started)
        }
        stopped.forEach { $0.cancel() }
        return started
    }

    /// Dials `id` at once although a link to it is registered: that link is dead (the local
    /// address it used went) and will be replaced by the new one.
    func relink(_ id: ContactID) {
        stranded.withLockedValue { _ = $0.insert(id) }
        wake(id)
    }

    /// Ends the wait of a contact's dialer (new message, link down, address learnt).
    func wake(_ id: ContactID) {
        dialers.withLockedValue { $0[id]?.wakeup }?.signal()
    }

    /// Whether a dialer runs for `id` (a contact, not blocked).
    func isDialling(_ id: ContactID) -> Bool {
        dialers.withLockedValue { $0[id] != nil }
    }

    func stopAll() {
        let tasks = dialers.withLockedValue { dialers in
            defer { dialers = [:] }
            return dialers.values.map(\.task)
        }
        tasks.forEach { $0.cancel() }
    }

    private func keepLinked(_ id: ContactID, wakeup: Wakeup) async {
        var backoff = Backoff()
        var logger = logger
        logger[metadataKey: "peer"] = "\(id.short)"
        var lastAttempt: ContinuousClock.Instant?
        while !Task.isCancelled {
            if await registry.session(for: id) != nil, stranded.withLockedValue({ $0.remove(id) == nil }) {
                await wakeup.wait(timeout: .seconds(5))  // the link may go down any time; check again
                continue
            }
            // However often we are woken (a burst of sends), dial at most once a second.
            if let lastAttempt, lastAttempt.duration(to: .now) < Self.minimumInterval {
                try? await Task.sleep(for: Self.minimumInterval - lastAttempt.duration(to: .now))
            }
            lastAttempt = .now
            guard let contact = try? database.contacts.contact(for: id), contact.trust != .blocked else { return }
            var outcome: SessionOutcome?
            let heard = hints.addresses(for: id)
            let addresses = heard + contact.addresses.filter { !heard.contains($0) }
            for address in addresses where !Task.isCancelled {
                do {
                    let connection = try await connector.connect(to: address, expecting: id)
                    let started = ContinuousClock.now
                    outcome = await runner.run(connection)
                    if started.duration(to: .now) > .seconds(30) { backoff.reset() }
                    break
                } catch let error as LinkError {
                    report(error, contact: contact, logger: logger)
                }  catch {
                    logger.debug("dial \(address) failed: \(error)")
                }
            }
            if Task.isCancelled { return }
            switch outcome {
            case .chatted?, .duplicate?:
                await wakeup.wait(timeout: .milliseconds(200))
            case .awaitingAcceptance?:
                await wakeup.wait(timeout: .seconds(300))
            default:
                await wakeup.wait(timeout: backoff.next())
            }
        }
    }

    private func report(_ error: LinkError, contact: Contact, logger: Logger) {
        if case .wrongPeer = error {
            logger.warning("\(error)")
            events.publish(.impersonation(EventPeer(contact.id, name: contact.name), detail: error.description))
        } else {
            logger.debug("dial failed: \(error)")
        }
    }
}
