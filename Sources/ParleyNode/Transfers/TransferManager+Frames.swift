import ParleyCore
import ParleyWire

/// File frames from peers, turned into events for the transfer machine.
extension TransferManager {
    /// Acts on a file frame from a contact. Throws ``PeerViolation`` when the
    /// frame breaks the protocol (the caller closes the link); other failures
    /// are the transfer's own and are logged here.
    func handle(_ frame: FileTransferFrame, from contact: Contact, on session: PeerSession) async throws {
        do {
            try await dispatch(frame, from: contact, on: session)
        } catch let violation as PeerViolation {
            throw violation
        } catch {
            logger.warning("transfer \(frame.transferID): \(error)")
        }
    }

    /// Offsets a peer sends must lie within the transfer's size.
    private static func check(_ offset: UInt64, within transfer: Transfer, _ what: String) throws {
        guard offset <= transfer.size else {
            throw PeerViolation("\(what) at byte \(offset) of transfer \(transfer.id), which has only \(transfer.size) bytes")
        }
    }

    /// Whether `event` would do anything to `transfer` (so a peer's offsets are checked only then).
    private static func applies(_ event: TransferMachine.Event, to transfer: Transfer) -> Bool {
        var machine = TransferMachine(transfer)
        return !machine.handle(event).isEmpty
    }

    private func dispatch(_ frame: FileTransferFrame, from contact: Contact, on session: PeerSession) async throws {
        let occasion = TransferOccasion(session: session)
        // The hot path (chunks and acks of running transfers) is served from memory.
        switch frame {
        case .chunk(let chunk):
            if let transfer = running.writer(chunk.transferID)?.transfer, transfer.contactID == contact.id {
                try Self.check(chunk.end, within: transfer, "FILE_CHUNK ending")
                try await drive(transfer, .peerChunk, TransferOccasion(session: session, chunk: chunk))
                return
            }
        case .ack(let id, let offset):
            if let transfer = running.stream(id)?.transfer, transfer.contactID == contact.id {
                try Self.check(offset, within: transfer, "FILE_ACK")
                try await drive(transfer, .peerAcknowledged(offset: offset), occasion)
                return
            }
        default:
            break
        }
        let existing = try database.transfers.transfer(frame.transferID)
        if let existing, existing.contactID != contact.id { return }  // not this peer's transfer
        if case .offer(let offer) = frame {
            try await received(offer, existing: existing, from: contact, on: session)
            return
        }
        guard let transfer = existing else { return }
        switch frame {
        case .offer:
            break  // answered above
        case .accept(_, let offset):
            let event = TransferMachine.Event.peerAccepted(offset: offset)
            guard Self.applies(event, to: transfer) else { return }
            try Self.check(offset, within: transfer, "FILE_ACCEPT")
            try await drive(transfer, event, occasion)
        case .reject(_, let reason):
            try await drive(transfer, .peerRejected(reason: reason), occasion)
        case .cancel(_, let reason):
            try await drive(transfer, .peerCancelled(reason: reason), occasion)
        case .pause:
            try await drive(transfer, .peerPaused, occasion)
        case .resume:
            try await drive(transfer, .peerResumed, occasion)
        case .chunk(let chunk):
            guard Self.applies(.peerChunk, to: transfer) else { return }
            try Self.check(chunk.end, within: transfer, "FILE_CHUNK ending")
            try await drive(transfer, .peerChunk, TransferOccasion(session: session, chunk: chunk))
        case .ack:
            break  // for a stream that is no longer running
        case .complete(_, let verified, let reason):
            try await drive(transfer, .peerCompleted(verified: verified, reason: reason), occasion)
        }
    }

    private func received(_ offer: FileOffer, existing: Transfer?, from contact: Contact,
                          on session: PeerSession) async throws {
        if let existing {
            // A re-offer after a reconnect: say where we are.
            try await drive(existing, .peerOffered, TransferOccasion(session: session))
            return
        }
        // Offers cost a row each until answered: a contact gets a bounded number open at once.
        guard try database.transfers.openOfferCount(from: contact.id) < maxOpenOffers else {
            logger.notice("declined an offer: \(maxOpenOffers) offers from this contact already wait for an answer")
            try await session.send(.file(.reject(offer.transferID,
                                                 reason: "too many offers waiting for an answer; try again later")))
            return
        }
        var transfer = Transfer(
            id: offer.transferID, contactID: contact.id, direction: .incoming,
            fileName: SafeFileName.make(from: offer.fileName), localPath: nil, size: offer.size,
            sha256: FileHasher.hex(offer.sha256), mimeType: offer.mimeType.isEmpty ? nil : offer.mimeType,
            state: .offered)
        let rules = try database.contacts.fileRules(for: contact.id)
        if let limit = rules.maxBytes, offer.size > limit {
            transfer.state = .rejected
            transfer.error = TransferError.tooLarge(size: offer.size, limit: limit).description
            try database.transfers.insert(transfer)
            try await session.send(.file(.reject(offer.transferID, reason: "larger than this contact may send")))
            publish(.stateChanged, transfer)
            return
        }
        try database.transfers.insert(transfer)
        events.publish(.transfer(.offered, EventPeer(contact.id, name: contact.name), transfer))
        if let autoAccept = rules.autoAcceptMaxBytes, offer.size <= autoAccept {
            _ = try await accept(transfer.id.uuidString, into: nil)
        }
    }
}
