import Foundation
import Logging
import NIOCore
import ParleyCore
import ParleyNet
import ParleyStore
import ParleyWire

/// Runs one link from the HELLO exchange to its close: chat both ways with
/// receipts for contacts, a single contact request for everyone else.
struct PeerSessionRunner: Sendable {
    let identity: Identity
    let database: ParleyDatabase
    let registry: LinkRegistry
    let events: EventHub
    let requestGate: ContactRequestGate
    /// Incoming connections count against its caps until their peer proves to be a contact.
    let unauthenticated: UnauthenticatedConnections
    /// File transfer, calls: each gets its frames and hears of links coming and going.
    let services: [any LinkService]
    let listenPort: @Sendable () -> Int
    let displayName: @Sendable () -> String
    let logger: Logger

    /// Runs the link to completion. Returns how it ended, for the dialer.
    @discardableResult
    func run(_ connection: PeerConnection) async -> SessionOutcome {
        let peer = connection.peerID
        var logger = logger
        logger[metadataKey: "peer"] = "\(peer.short)"
        logger[metadataKey: "link"] = "\(connection.direction.rawValue)"
        let contact = try? database.contacts.contact(for: peer)
        if contact?.trust == .blocked {
            try? await connection.channel.channel.close()
            return .refused
        }
        do {
            return try await connection.channel.executeThenClose { inbound, outbound in
                do {
                    return try await converse(connection, contact: contact, inbound: inbound, outbound: outbound,
                                              logger: logger)
                } catch let error as WireError {
                    // The frame decoder refused the peer's bytes: say why before the link goes.
                    try? await outbound.write(.close(CloseReason(protocolError: error)))
                    publishLinkError(error.description, peer: peer, name: contact?.name)
                    throw error
                } catch let violation as PeerViolation {
                    // A well-formed frame that breaks the protocol's rules: nothing of it was stored.
                    try? await outbound.write(.close(CloseReason(
                        code: .protocolError, reason: CloseReason.fitting(violation.reason))))
                    publishLinkError(violation.reason, peer: peer, name: contact?.name)
                    throw violation
                }
            }
        } catch {
            logger.notice("link closed: \(error)")
            return .failed(String(describing: error))
        }
    }

    /// HELLO exchange, then chat (contacts) or a contact request (strangers).
    private func converse(_ connection: PeerConnection, contact: Contact?,
                          inbound: NIOAsyncChannelInboundStream<WireMessage>,
                          outbound: NIOAsyncChannelOutboundWriter<WireMessage>,
                          logger: Logger) async throws -> SessionOutcome {
        let peer = connection.peerID
        try await outbound.write(.hello(Hello(
            displayName: WireLimits.fitting(displayName(), maxBytes: WireLimits.maxDisplayNameBytes), listenPort: UInt16(clamping: listenPort()),
            peerIsContact: contact != nil)))
        var messages = inbound.makeAsyncIterator()
        guard case .hello(let hello)? = try await messages.next() else { return .closed }
        if let problem = versionProblem(hello) {
            try await outbound.write(.close(CloseReason(code: .unsupportedVersion, reason: problem)))
            logger.warning("closing link: \(problem)")
            return .closed
        }
        guard let contact else {
            return try await answerStranger(connection, hello: hello, messages: &messages, outbound: outbound,
                                             logger: logger)
        }
        guard hello.peerIsContact else {
            return try await askToBecomeContact(contact, messages: &messages, outbound: outbound, logger: logger)
        }
        let session = PeerSession(
            peerID: peer, initiator: connection.direction == .outgoing ? identity.contactID : peer,
            direction: connection.direction, remoteAddress: connection.remoteAddress,
            capabilities: Set(hello.capabilities), outbound: outbound, channel: connection.channel.channel)
        let replaced: PeerSession?
        switch await registry.register(session) {
        case .rejected:
            try? await outbound.write(.close(CloseReason(code: .duplicateLink, reason: "a link to you is already up")))
            return .duplicate
        case .accepted(let older):
            unauthenticated.authenticated(connection.channel.channel)
            replaced = older
        }
        learnAddress(of: contact, hello: hello, remote: connection.remoteAddress, direction: connection.direction)
        try? database.contacts.markSeen(peer)
        events.publish(.presence(EventPeer(peer, name: contact.name), online: true))
        logger.info("link up")
        defer { logger.info("link down") }
        do {
            try await chat(with: contact, session: session, replacing: replaced, messages: &messages, logger: logger)
        } catch {
            await linkEnded(session, contact: contact)
            throw error
        }
        await linkEnded(session, contact: contact)
        return .chatted
    }

    /// Tells the services, unregisters the link and, when no other link to the contact is
    /// up, says the contact went offline.
    private func linkEnded(_ session: PeerSession, contact: Contact) async {
        for service in services { await service.linkClosing(session) }
        guard await registry.unregister(session) else { return }
        for service in services { await service.contactOffline(contact.id) }
        try? database.contacts.markSeen(contact.id)
        events.publish(.presence(EventPeer(contact.id, name: contact.name), online: false))
    }

    // MARK: Contacts: chat

    private func chat(with contact: Contact, session: PeerSession,
                      replacing replaced: PeerSession?, messages: inout NIOAsyncChannelInboundStream<WireMessage>.AsyncIterator,
                      logger: Logger) async throws {
        let inbox = BatchQueue<MessageRepository.Incoming>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The link this one replaces closes beside it: a dead peer's TLS shutdown waits
            // seconds for its close_notify, and the new link must not wait for that.
            if let replaced {
                group.addTask { await replaced.close(.duplicateLink, reason: "replaced by a newer link") }
            }
            group.addTask { try await sendOutbox(to: contact.id, on: session) }
            group.addTask { try await persistInbox(inbox, from: contact, on: session) }
            group.addTask { [database] in await ReadReceipts.flush(to: contact.id, on: session, database: database) }
            for service in services {
                group.addTask { await service.linkUp(session) }
            }
            defer {
                inbox.finish()
                group.cancelAll()
            }
            while let message = try await messages.next() {
                guard try await receive(message, from: contact, on: session, inbox: inbox, logger: logger) else {
                    return
                }
            }
        }
    }

    /// What one frame from a contact does on its link: chat is queued for
    /// storage in `inbox`, receipts, typing and file frames take effect.
    /// Returns false when the link is to end. Throws ``PeerViolation`` for a
    /// frame that breaks the protocol, and store errors.
    func receive(_ message: WireMessage, from contact: Contact, on session: PeerSession,
                 inbox: BatchQueue<MessageRepository.Incoming>, logger: Logger) async throws -> Bool {
        if let service = services.first(where: { $0.handles(message) }) {
            try await service.receive(message, from: contact, on: session)
            return true
        }
        switch message {
        case .chat(let chat):
            await inbox.append(MessageRepository.Incoming(
                from: contact.id, id: chat.id, sentAt: Date(wireTimestamp: chat.sentAt), body: chat.body))
        case .receipt(let receipt):
            let state: MessageState = receipt.kind == .read ? .read : .delivered
            let contactID = contact.id
            let changed = try await database.perform { database throws(StoreError) in
                try database.messages.advance(receipt.ids, to: state, for: contactID)
            }
            if !changed.isEmpty {
                events.publish(.receipt(EventPeer(contact.id, name: contact.name), ids: changed, state: state))
            }
        case .typing(let active):
            events.publish(.typing(EventPeer(contact.id, name: contact.name), active: active))
        case .file, .call, .externalAddress:
            break   // handled by their services above
        case .contactRequest:
            try await session.send(.contactRequestResult(.alreadyContact))
        case .close(let reason):
            logger.info("peer closed the link (\(reason.code)): \(reason.reason)")
            return false
        case .hello:
            await session.close(.protocolError, reason: "HELLO sent twice")
            return false
        case .ping, .pong, .contactRequestResult, .unknown:
            break
        }
        return true
    }

    /// Sends every undelivered message, oldest first, then waits for more.
    ///
    /// Messages handed to the link are marked sent together: at once when the outbox runs
    /// dry, else at most every ``sentMarkInterval`` while a burst goes out. By then most of
    /// a burst is delivered already, and a message is never moved backwards, so those rows
    /// are not written twice.
    private func sendOutbox(to peer: ContactID, on session: PeerSession) async throws {
        var cursor: Int64 = 0
        var unmarked: [UUID] = []
        var lastMark = ContinuousClock.now
        func markSent() async throws {
            guard !unmarked.isEmpty else { return }
            let sent = unmarked
            unmarked.removeAll(keepingCapacity: true)
            lastMark = .now
            _ = try await database.perform { database throws(StoreError) in
                try database.messages.advance(sent, to: .sent)
            }
        }
        while !Task.isCancelled {
            let after = cursor
            let batch = try await database.perform { database throws(StoreError) in
                try database.messages.undelivered(to: peer, after: after, limit: 512)
            }
            guard let last = batch.last else {
                try await markSent()
                await session.outboxWakeup.wait()
                continue
            }
            try await session.send(contentsOf: batch.map { entry in
                .chat(ChatMessage(id: entry.message.id, sentAt: entry.message.sentAt.wireTimestamp,
                                  body: entry.message.body))
            })
            unmarked += batch.map(\.message.id)
            if ContinuousClock.now - lastMark >= Self.sentMarkInterval { try await markSent() }
            cursor = last.sequence
        }
    }

    /// How long messages of a burst may wait to be marked sent.
    static let sentMarkInterval = Duration.milliseconds(100)

    /// Stores received messages in batches, then acknowledges them: a
    /// delivered receipt always means "safely on disk".
    private func persistInbox(_ inbox: BatchQueue<MessageRepository.Incoming>, from contact: Contact,
                              on session: PeerSession) async throws {
        while let batch = await inbox.next() {
            try await persist(batch, from: contact, on: session)
        }
    }

    /// Stores one batch of received messages, acknowledges it and tells the UI.
    func persist(_ batch: [MessageRepository.Incoming], from contact: Contact, on session: PeerSession) async throws {
        let stored = try await database.perform { database throws(StoreError) in try database.messages.storeIncoming(batch) }
        let now = Date().wireTimestamp
        for chunk in batch.chunks(ofCount: WireLimits.maxReceiptIDs) {
            try await session.send(.receipt(Receipt(kind: .delivered, at: now, ids: chunk.map(\.id))))
        }
        for message in stored {
            events.publish(.message(EventPeer(contact.id, name: contact.name), message))
        }
    }

    // MARK: Strangers and contact requests

    /// A peer we do not know may deliver one contact request, nothing else.
    private func answerStranger(_ connection: PeerConnection, hello: Hello,
                                messages: inout NIOAsyncChannelInboundStream<WireMessage>.AsyncIterator,
                                outbound: NIOAsyncChannelOutboundWriter<WireMessage>,
                                logger: Logger) async throws -> SessionOutcome {
        // The stranger has a few seconds to ask; then the link is closed under the loop below.
        let channel = connection.channel.channel
        let timer = Task {
            try await Task.sleep(for: Self.strangerDeadline)
            try? await outbound.write(.close(CloseReason(code: .notAContact, reason: "no contact request in time")))
            try? await channel.close()
        }
        defer { timer.cancel() }
        var request: ParleyWire.ContactRequest?
        waiting: while let message = try await messages.next() {
            switch message {
            case .contactRequest(let asked): request = asked; break waiting
            case .unknown: continue
            case .close: return .refused
            default: break waiting
            }
        }
        timer.cancel()
        guard let request else {
            try await outbound.write(.close(CloseReason(code: .notAContact, reason: "you are not a contact; send a contact request")))
            return .refused
        }
        guard requestGate.allow(connection.peerID, from: connection.remoteAddress?.ipAddress) else {
            try await outbound.write(.contactRequestResult(.rateLimited))
            try await outbound.write(.close(CloseReason(code: .rateLimited, reason: "too many contact requests; try later")))
            logger.notice("contact request refused: rate limited")
            return .refused
        }
        let address = connection.remoteAddress?.ipAddress.map { host in
            PeerAddress(host: host, port: Int(request.listenPort == 0 ? hello.listenPort : request.listenPort))
        }
        let pending = PendingContactRequest(peerID: connection.peerID, displayName: request.displayName,
                                            note: request.note, address: address)
        try database.requests.store(pending, keepingAtMost: requestGate.limits.maxPendingRequests)
        try await outbound.write(.contactRequestResult(.received))
        try await outbound.write(.close(CloseReason(code: .notAContact, reason: "request stored; wait to be accepted")))
        events.publish(.contactRequest(EventPeer(connection.peerID, name: request.displayName), note: request.note,
                                       address: address?.description))
        logger.info("contact request stored")
        return .refused
    }

    /// The contact does not have us yet: send our contact request once.
    private func askToBecomeContact(_ contact: Contact,
                                    messages: inout NIOAsyncChannelInboundStream<WireMessage>.AsyncIterator,
                                    outbound: NIOAsyncChannelOutboundWriter<WireMessage>,
                                    logger: Logger) async throws -> SessionOutcome {
        let note = (try? database.settings.value(for: SettingKeys.requestNote(for: contact.id))) ?? ""
        try await outbound.write(.contactRequest(ParleyWire.ContactRequest(
            displayName: WireLimits.fitting(displayName(), maxBytes: WireLimits.maxDisplayNameBytes), note: note, listenPort: UInt16(clamping: listenPort()))))
        var status: ContactRequestStatus?
        while let message = try await messages.next() {
            if case .contactRequestResult(let result) = message {
                status = result
                break
            }
            if case .close = message { break }
        }
        let answer = status.map { "\($0)" } ?? "no answer"
        events.publish(.contactRequestSent(EventPeer(contact.id, name: contact.name), answer: answer))
        logger.info("sent a contact request: \(answer)")
        try? await outbound.write(.close(CloseReason(code: .normal, reason: "contact request sent")))
        return .awaitingAcceptance
    }

    // MARK: Helpers

    private func publishLinkError(_ detail: String, peer: ContactID, name: String?) {
        events.publish(.linkError(EventPeer(peer, name: name), detail: detail))
    }

    /// How long a stranger has, after HELLO, to send its contact request.
    static let strangerDeadline: Duration = .seconds(10)

    private func versionProblem(_ hello: Hello) -> String? {
        let negotiated = min(hello.protocolVersion, WireProtocol.version)
        guard negotiated >= hello.minProtocolVersion, negotiated >= WireProtocol.minimumVersion else {
            return "no common protocol version (peer speaks \(hello.minProtocolVersion)…\(hello.protocolVersion), we speak \(WireProtocol.minimumVersion)…\(WireProtocol.version))"
        }
        return nil
    }

    private func learnAddress(of contact: Contact, hello: Hello, remote: SocketAddress?, direction: LinkDirection) {
        guard direction == .incoming, hello.listenPort != 0, let host = remote?.ipAddress else { return }
        try? database.contacts.addAddress(PeerAddress(host: host, port: Int(hello.listenPort)), for: contact.id,
                                          source: .learned)
    }
}

/// How a link ended, as far as reconnecting is concerned.
enum SessionOutcome: Sendable, Equatable {
    /// A chat session ran (reconnect soon if it drops).
    case chatted
    /// The other side already had a link to us.
    case duplicate
    /// We asked to become the peer's contact; wait for them to accept.
    case awaitingAcceptance
    /// Not a usable link (stranger, blocked, version mismatch).
    case refused
    case closed
    case failed(String)
}
