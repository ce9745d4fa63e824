import ParleyCore
import ParleyWire

/// A capability carried by contact links (file transfer, calls): the link runner hands it
/// the frames of its kind and tells it when a contact's link comes up and goes down. The
/// work of one link — its services' link-up work included — runs as child tasks of that
/// link's task group.
protocol LinkService: Sendable {
    /// Whether `message` belongs to this service.
    func handles(_ message: WireMessage) -> Bool
    /// A link to a contact is up (resume what waited for it).
    func linkUp(_ session: PeerSession) async
    /// One frame of this service's kind from a contact. Throws ``PeerViolation`` for a frame
    /// that breaks the protocol (the link is closed).
    func receive(_ message: WireMessage, from contact: Contact, on session: PeerSession) async throws
    /// The link is closing; it is still registered (a newer link may have replaced it).
    func linkClosing(_ session: PeerSession) async
    /// The contact has no link any more.
    func contactOffline(_ contact: ContactID) async
}

extension LinkService {
    func linkUp(_ session: PeerSession) async {}
    func linkClosing(_ session: PeerSession) async {}
    func contactOffline(_ contact: ContactID) async {}
}

extension TransferManager: LinkService {
    func handles(_ message: WireMessage) -> Bool {
        if case .file = message { true } else { false }
    }

    func receive(_ message: WireMessage, from contact: Contact, on session: PeerSession) async throws {
        guard case .file(let frame) = message else { return }
        try await handle(frame, from: contact, on: session)
    }

    func linkClosing(_ session: PeerSession) async {
        await linkDown(session)
    }
}

extension CallManager: LinkService {
    nonisolated func handles(_ message: WireMessage) -> Bool {
        if case .call = message { true } else { false }
    }

    func receive(_ message: WireMessage, from contact: Contact, on session: PeerSession) async throws {
        guard case .call(let frame) = message else { return }
        await handle(frame, from: contact)
    }

    func contactOffline(_ contact: ContactID) async {
        await linkDown(contact)
    }
}
