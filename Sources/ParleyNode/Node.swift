import Foundation
import Logging
import NIOCore
import NIOPosix
import ParleyCore
import ParleyNet
import ParleyStore
import ParleyWire

/// A running Parley node: listens for peers, keeps links to contacts,
/// moves messages and answers the control socket. `parley daemon` runs one
/// headless; the terminal UI embeds the same.
public final class Node: Sendable {
    public let profile: Profile
    /// Node events (messages, receipts, presence, requests).
    public let events: EventHub
    let registry: LinkRegistry
    let policy: PeerPolicy
    let dialer: ContactDialer
    let runner: PeerSessionRunner
    let transfers: TransferManager
    let calls: CallManager
    let listener: PeerListener
    let control: ControlServer
    let logger: Logger
    /// The address peers reach us on (the bound port, even when 0 was asked for).
    public let listenAddress: PeerAddress

    /// Opens the listener and the control socket and starts dialling contacts.
    public static func start(profile: Profile, listen: PeerAddress, timings: LinkTimings = LinkTimings(),
                             limits: NodeLimits = NodeLimits(), logger: Logger) async throws -> Node {
        let lock = try NodeLock(paths: profile.paths)
        let openFiles = ProcessLimits.raiseOpenFileLimit()
        logger.debug("open-file limit: \(openFiles)")
        let identity = profile.identity
        let tls = try PeerTLS(identity: identity)
        let policy = PeerPolicy(contacts: try profile.database.contacts.all())
        let listener: PeerListener
        let unauthenticated = UnauthenticatedConnections(maxTotal: limits.maxUnauthenticated,
                                                         maxPerAddress: limits.maxUnauthenticatedPerAddress)
        do {
            listener = try await PeerListener.bind(host: listen.host, port: listen.port, tls: tls, timings: timings,
                                                   unauthenticated: unauthenticated, logger: logger,
                                                   admit: { policy.admits($0) })
        } catch {
            throw NodeError.cannotListen(listen.description, String(describing: error))
        }
        let boundPort = listener.localAddress?.port ?? listen.port
        let registry = LinkRegistry(ownID: identity.contactID)
        let events = EventHub()
        let transfers = TransferManager(database: profile.database, registry: registry, events: events,
                                        downloads: DownloadFolder.default(
                                            configuration: profile.configuration,
                                            profileHome: profile.paths.isSelfContained ? profile.paths.dataDirectory : nil),
                                        maxOpenOffers: limits.maxOpenOffersPerContact, logger: logger)
        let calls = CallManager(
            ownID: identity.contactID, database: profile.database, registry: registry, events: events, logger: logger,
            settings: {
                // Read afresh for every call: `parley config set` changes apply to the next call.
                (try? (ConfigurationFile(url: profile.paths.configFile).load()).callSettings())
                    ?? (try? profile.configuration.callSettings()) ?? CallSettings()
            }, mediaFactory: CallMediaSessionLeg.start)
        let reachability = ExternalAddressService(database: profile.database, registry: registry, logger: logger)
        let runner = PeerSessionRunner(
            identity: identity, database: profile.database, registry: registry, events: events,
            requestGate: ContactRequestGate(database: profile.database, limits: limits, logger: logger),
            unauthenticated: unauthenticated, services: [transfers, calls, reachability], listenPort: { boundPort },
            displayName: { profile.displayName }, logger: logger)
        let dialer = ContactDialer(database: profile.database, registry: registry,
                                   connector: PeerConnector(tls: tls, timings: timings), runner: runner,
                                   events: events, logger: logger)
        let control = try await ControlServer.bind(path: profile.paths.controlSocket.path, logger: logger)
        let discovery = await startLANDiscovery(
            profile: profile, listen: PeerAddress(host: listen.host, port: boundPort), dialer: dialer, logger: logger)
        let portMapping = startPortMapping(profile: profile, listen: PeerAddress(host: listen.host, port: boundPort),
                                           reachability: reachability, logger: logger)
        // Commits never wait for a checkpoint: the log is copied back on a thread of its own.
        let checkpointer = try profile.database.startBackgroundCheckpoints()
        return Node(profile: profile, events: events, registry: registry, policy: policy, dialer: dialer,
                    runner: runner, transfers: transfers, calls: calls, listener: listener, control: control,
                    discovery: discovery, reachability: reachability, portMapping: portMapping, logger: logger, listenAddress: PeerAddress(host: listen.host, port: boundPort),
                    lock: lock, checkpointer: checkpointer)
    }

    /// Starts LAN discovery unless `lan_discovery = off`; a node without it still works.
    private static func startLANDiscovery(profile: Profile, listen: PeerAddress, dialer: ContactDialer,
                                          logger: Logger) async -> LANDiscovery? {
        guard (try? profile.configuration.lanDiscovery()) ?? true else {
            logger.info("LAN discovery off")
            return nil
        }
        let ownID = profile.identity.contactID
        do {
            return try await LANDiscovery.start(
                identity: profile.identity, listenPort: listen.port, listensOnIPv6: listen.host.contains(":"),
                includeTunnels: (try? profile.configuration.lanTunnels()) ?? false,
                isContact: { $0 != ownID && dialer.isDialling($0) },
                found: { id, address in
                    if dialer.hints.record(address, for: id) { logger.info("LAN: \(id.short) at \(address)") }
                    dialer.wake(id)
                }, logger: logger)
        } catch {
            logger.warning("LAN discovery unavailable (UDP port \(LANDiscovery.port)): \(error)")
            return nil
        }
    }

    /// Maps the listen port on the router unless `port_mapping = off` or the node listens on
    /// loopback only (nothing outside could reach that).
    private static func startPortMapping(profile: Profile, listen: PeerAddress, reachability: ExternalAddressService,
                                         logger: Logger) -> PortMappingService? {
        guard (try? profile.configuration.portMapping()) ?? .auto == .auto else {
            logger.info("port mapping off")
            return nil
        }
        guard !PortMappingService.isLoopback(listen.host) else {
            logger.debug("port mapping not tried: listening on loopback (\(listen.host))")
            return nil
        }
        return PortMappingService(internalPort: listen.port, logger: logger) { mapping in
            let address = mapping.flatMap(ExternalAddressService.wireAddress(of:))
            if let mapping, address == nil {
                logger.notice("port mapping: the router's address \(mapping.externalHost) cannot be dialled from outside")
            }
            reachability.update(address)
        }
    }

    private let lock: NodeLock
    private let checkpointer: WALCheckpointer
    let discovery: LANDiscovery?
    let reachability: ExternalAddressService
    let portMapping: PortMappingService?

    private init(profile: Profile, events: EventHub, registry: LinkRegistry, policy: PeerPolicy,
                 dialer: ContactDialer, runner: PeerSessionRunner, transfers: TransferManager, calls: CallManager,
                 listener: PeerListener,
                 control: ControlServer, discovery: LANDiscovery?, reachability: ExternalAddressService,
                 portMapping: PortMappingService?, logger: Logger, listenAddress: PeerAddress,
                 lock: NodeLock, checkpointer: WALCheckpointer) {
        self.checkpointer = checkpointer
        self.discovery = discovery
        self.reachability = reachability
        self.portMapping = portMapping
        self.transfers = transfers
        self.calls = calls
        self.profile = profile
        self.registry = registry
        self.policy = policy
        self.dialer = dialer
        self.runner = runner
        self.listener = listener
        self.control = control
        self.logger = logger
        self.listenAddress = listenAddress
        self.lock = lock
        self.events = events
    }

    /// Serves peers and the control socket until `shutdown()`.
    public func run() async throws {
        logger.info("node \(profile.identity.contactID.grouped) listening on \(listenAddress)")
        dialer.sync(with: (try? profile.database.contacts.all()) ?? [])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { [self] in
                try await listener.run { [self] connection in
                    await runner.run(connection)
                }
            }
            group.addTask { [self] in
                try await control.run(handler: ControlHandler(node: self))
            }
            if let discovery {
                group.addTask { await discovery.run() }
            }
            if let portMapping {
                group.addTask { await portMapping.run() }
            }
            group.addTask { [self] in await relinkWhenAddressesGo() }
            await stopping.wait()
            group.cancelAll()  // ends idle control connections and links still in their handshake
        }
    }

    /// Watches this host's addresses (every half second): when one goes (a new DHCP lease,
    /// another network), the links that used it are dead although TCP has not noticed. They
    /// are closed and dialled again at once (the new link replaces the dead one, however long
    /// its TLS shutdown takes); a call over them restarts ICE when the link is back.
    private func relinkWhenAddressesGo() async {
        var known = LocalAddresses.current()
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            let now = LocalAddresses.current()
            let gone = known.subtracting(now)
            known = now
            guard !gone.isEmpty else { continue }
            let stranded = await registry.all.filter { session in session.localAddress?.ipAddress.map(gone.contains) == true }
            for session in stranded {
                logger.info("address \(session.localAddress?.ipAddress ?? "?") gone; linking to \(session.peerID.short) again")
                session.drop()
                dialer.relink(session.peerID)
            }
        }
    }

    /// Signalled by `shutdown()` to end `run()`.
    private let stopping = Wakeup()

    /// Closes every link with a goodbye, stops listening and dialling.
    public func shutdown() async {
        // The router's mapping goes first, while links close: nothing should point here after we exit.
        async let unmapped: Void? = portMapping?.stop()
        await calls.shutdown()
        dialer.stopAll()
        await withTaskGroup(of: Void.self) { group in
            for session in await registry.all {
                group.addTask { await session.close(.shuttingDown, reason: "the node is shutting down") }
            }
        }
        await listener.close()
        await control.close()
        await discovery?.close()
        await checkpointer.stop()
        _ = await unmapped
        events.finish()
        stopping.signal()
    }

    // MARK: Operations (used by the control socket and the terminal UI)

    /// Stores a message as queued and wakes the link that will send it.
    public func send(_ text: String, to reference: String) throws -> Message {
        try send([text], to: reference)[0]
    }

    /// Stores several messages (in this order, in one transaction) and wakes the link.
    public func send(_ texts: [String], to reference: String) throws -> [Message] {
        let (contact, messages) = try OutgoingMessages.enqueue(texts, to: reference, in: profile.database)
        Task { await wakeSender(for: contact.id) }
        return messages
    }

    /// The same, for async callers (the control socket): the store works on its own threads
    /// while this task waits, so a large batch holds no thread of the cooperative pool.
    public func send(_ texts: [String], to reference: String) async throws -> [Message] {
        let (contact, messages) = try await profile.database.perform { database in
            try OutgoingMessages.enqueue(texts, to: reference, in: database)
        }
        await wakeSender(for: contact.id)
        return messages
    }

    /// Marks a conversation as read and tells the peer (read receipts).
    public func markRead(_ reference: String) async throws -> Int {
        let contact = try profile.database.contacts.resolve(reference)
        let ids = try profile.database.messages.markIncomingRead(from: contact.id)
        if let session = await registry.session(for: contact.id), !ids.isEmpty {
            await ReadReceipts.flush(to: contact.id, on: session, database: profile.database)
        }
        return ids.count
    }

    /// Tells a contact we are typing (or stopped).
    public func typing(_ active: Bool, to reference: String) async throws {
        let contact = try profile.database.contacts.resolve(reference)
        try? await registry.session(for: contact.id)?.send(.typing(active: active))
    }

    /// Re-reads contacts after a change made elsewhere (CLI, UI): blocked or
    /// removed contacts lose their link, new ones get dialled.
    public func contactsChanged() async {
        let read = try? profile.database.contacts.all()
        if let read { policy.update(contacts: read) }  // on a read error the refusals in force stay
        let contacts = read ?? []
        let allowed = Set(contacts.filter { $0.trust != .blocked }.map(\.id))
        let blocked = Set(contacts.filter { $0.trust == .blocked }.map(\.id))
        for session in await registry.all where !allowed.contains(session.peerID) {
            if blocked.contains(session.peerID) {
                await session.close(.blocked, reason: "blocked")
            } else {
                await session.close(.normal, reason: "contact removed")
            }
        }
        let started = dialer.sync(with: contacts)
        for contact in contacts where !started.contains(contact.id) { dialer.wake(contact.id) }
        for id in blocked { dialer.hints.forget(id) }
        discovery?.announce()  // a new contact may be listening for us on the LAN
    }

    // MARK: File transfers

    /// Offers a file to a contact (hashing it first); it goes out as soon as a link is up.
    public func offerFile(path: String, to reference: String, as name: String? = nil) async throws -> Transfer {
        let contact = try profile.database.contacts.resolve(reference)
        guard contact.trust != .blocked else { throw NodeError.blocked(contact.name) }
        let transfer = try await transfers.offer(path: path, to: contact, as: name)
        dialer.wake(contact.id)
        return transfer
    }

    public func transferList() throws -> [Transfer] { try transfers.list() }

    /// A transfer with its current rate, for display.
    public func info(_ transfer: Transfer) -> TransferInfo {
        TransferInfo(transfer, rate: transfer.state.isFinal ? nil : transfers.rate(of: transfer.id))
    }
    public func acceptTransfer(_ id: String, into directory: String? = nil) async throws -> Transfer {
        try await transfers.accept(id, into: directory)
    }
    public func rejectTransfer(_ id: String) async throws -> Transfer { try await transfers.reject(id) }
    public func cancelTransfer(_ id: String) async throws -> Transfer { try await transfers.cancel(id) }
    public func pauseTransfer(_ id: String) async throws -> Transfer { try await transfers.pause(id) }
    public func resumeTransfer(_ id: String) async throws -> Transfer { try await transfers.resume(id) }

    /// Contacts with their link state.
    public func status() async throws -> NodeStatus {
        let online = await registry.online
        let contacts = try profile.database.contacts.all()
        let external = reachability.current
        return NodeStatus(
            id: profile.identity.contactID.grouped, name: profile.displayName, listen: listenAddress.description,
            externalAddress: external?.description,
            externalAddressSource: external.map { $0.source == .mapping ? .mapping : .stun } ?? .unknown,
            portMapping: portMapping?.mapping.map { "\($0.method)" } ?? (portMapping == nil ? "off" : "none"),
            contacts: contacts.map { contact in
                NodeStatus.ContactState(name: contact.name, id: contact.id.grouped, trust: contact.trust.rawValue,
                                        online: online.contains(contact.id), lastSeen: contact.lastSeen)
            })
    }

    private func wakeSender(for id: ContactID) async {
        if let session = await registry.session(for: id) {
            session.outboxWakeup.signal()
        } else {
            dialer.wake(id)
        }
    }
}

/// What `parley status` shows.
public struct NodeStatus: Codable, Sendable {
    public struct ContactState: Codable, Sendable {
        public var name: String
        public var id: String
        public var trust: String
        public var online: Bool
        public var lastSeen: Date?

        enum CodingKeys: String, CodingKey {
            case name, id, trust, online
            case lastSeen = "last_seen"
        }
    }

    /// How the external address was learnt.
    public enum ExternalAddressSource: String, Codable, Sendable {
        /// A port mapping on the router (UPnP-IGD or NAT-PMP).
        case mapping
        /// A STUN server (not built yet).
        case stun
        /// Not known.
        case unknown
    }

    public var id: String
    public var name: String
    public var listen: String
    /// Where contacts outside the LAN can dial us (`host:port`), if known.
    public var externalAddress: String?
    public var externalAddressSource: ExternalAddressSource
    /// The method of the port mapping held (`NAT-PMP`, `UPnP-IGD`), `none`, or `off`.
    public var portMapping: String
    public var contacts: [ContactState]

    public init(id: String, name: String, listen: String, externalAddress: String? = nil,
                externalAddressSource: ExternalAddressSource = .unknown, portMapping: String = "off",
                contacts: [ContactState]) {
        self.id = id
        self.name = name
        self.listen = listen
        self.externalAddress = externalAddress
        self.externalAddressSource = externalAddressSource
        self.portMapping = portMapping
        self.contacts = contacts
    }

    enum CodingKeys: String, CodingKey {
        case id, name, listen, contacts
        case externalAddress = "external_address"
        case externalAddressSource = "external_address_source"
        case portMapping = "port_mapping"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        listen = try container.decode(String.self, forKey: .listen)
        externalAddress = try container.decodeIfPresent(String.self, forKey: .externalAddress)
        externalAddressSource = try container.decodeIfPresent(ExternalAddressSource.self, forKey: .externalAddressSource)
            ?? .unknown
        portMapping = try container.decodeIfPresent(String.self, forKey: .portMapping) ?? "off"
        contacts = try container.decode([ContactState].self, forKey: .contacts)
    }

    /// Every key, `external_address` as null when unknown.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(listen, forKey: .listen)
        try container.encode(externalAddress, forKey: .externalAddress)
        try container.encode(externalAddressSource, forKey: .externalAddressSource)
        try container.encode(portMapping, forKey: .portMapping)
        try container.encode(contacts, forKey: .contacts)
    }
}
