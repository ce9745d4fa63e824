import Foundation
import Logging
import NIOConcurrencyHelpers
import ParleyCore
import ParleyStore
import ParleyWire

/// Runs file transfers over the peer links: offers, acceptance, chunk
/// streaming with flow control, durable progress, resume after a dropped
/// link or a restart, and verification before the final rename.
final class TransferManager: Sendable {
    private let database: ParleyDatabase
    private let registry: LinkRegistry
    private let events: EventHub
    private let downloads: DownloadFolder
    private let maxOpenOffers: Int
    private let logger: Logger

    private struct State: Sendable {
        /// Outgoing streams running now, with the task that feeds them and their transfer.
        var streams: [UUID: (stream: OutgoingStream, task: Task<Void, Never>, transfer: Transfer, session: PeerSession)] = [:]
        /// Incoming part files being written now, with their transfer (so chunks need no lookup).
        var writers: [UUID: (writer: IncomingFileWriter, transfer: Transfer)] = [:]
        /// Last progress event per transfer, to throttle them.
        var lastProgress: [UUID: ContinuousClock.Instant] = [:]
        /// Recent throughput per running transfer: last sample and smoothed bytes/s.
        var rates: [UUID: (at: ContinuousClock.Instant, bytes: UInt64, rate: Double)] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Marks a sender-side pause the user asked for (a receiver's pause is stored differently).
    static let pausedBySender = "paused by the sender"
    static let pausedByReceiver = "paused by the receiver"

    init(database: ParleyDatabase, registry: LinkRegistry, events: EventHub, downloads: DownloadFolder,
         maxOpenOffers: Int = NodeLimits().maxOpenOffersPerContact, logger: Logger) {
        self.maxOpenOffers = maxOpenOffers
        self.database = database
        self.registry = registry
        self.events = events
        self.downloads = downloads
        self.logger = logger
    }

    // MARK: User operations

    /// Hashes the file (off the caller's thread), records the offer and sends it if the contact is online.
    func offer(path: String, to contact: Contact, as proposedName: String?) async throws -> Transfer {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw TransferError.cannotRead(absolute, "no such file")
        }
        let name = proposedName ?? (absolute as NSString).lastPathComponent
        // What the peer would refuse is refused here, before any hashing.
        guard name.utf8.count <= WireLimits.maxFileNameBytes else {
            throw TransferError.nameTooLong(name, bytes: name.utf8.count, limit: WireLimits.maxFileNameBytes)
        }
        guard !name.trimmingWhitespace().isEmpty, !name.utf8.contains(0) else {
            throw TransferError.cannotRead(absolute, "the file name is empty or holds a NUL character")
        }
        // hashSource refuses a device or FIFO at once, before it opens anything.
        let (sha256, source) = try await FileHasher.hashSource(path: absolute)
        guard source.size <= WireLimits.maxFileSize else {
            throw TransferError.tooLarge(size: source.size, limit: WireLimits.maxFileSize)
        }
        let transfer = Transfer(contactID: contact.id, direction: .outgoing, fileName: name, localPath: absolute,
                                size: source.size, sha256: sha256, state: .offered,
                                sourceSignature: source.signature)
        try database.transfers.insert(transfer)
        if let session = await registry.session(for: contact.id), session.acceptsFiles {
            try? await session.send(.file(.offer(offerFrame(for: transfer))))
        }
        return transfer
    }

    /// Accepts an incoming offer into `directory` (default: the download folder).
    func accept(_ reference: String, into directory: String?) async throws -> Transfer {
        var transfer = try pendingOffer(reference)
        let folder = directory.map { DownloadFolder(path: URL(fileURLWithPath: $0).standardizedFileURL.path) } ?? downloads
        let reserved = Set(try database.transfers.all().filter { !$0.state.isFinal }.compactMap(\.localPath))
        let (final, part) = try folder.reserve(transfer.fileName, avoiding: reserved)
        transfer.localPath = final
        transfer.partPath = part
        transfer.state = .accepted
        try database.transfers.update(transfer)
        publishState(transfer)
        if transfer.size == 0 {
            // Nothing to stream: create the empty file, verify and finish here.
            let writer = try openWriter(for: transfer)
            return try await finish(transfer, writer: writer, on: await registry.session(for: transfer.contactID))
        }
        await sendAccept(transfer)
        return transfer
    }

    /// The incoming transfer `reference` names, if it still waits for an answer.
    private func pendingOffer(_ reference: String) throws -> Transfer {
        let transfer = try database.transfers.resolve(reference)
        guard transfer.direction == .incoming else { throw TransferError.notIncoming(transfer.id.uuidString) }
        guard transfer.state == .offered else {
            throw TransferError.wrongState(transfer.id.uuidString, state: transfer.state.rawValue, wanted: "offered")
        }
        return transfer
    }

    func reject(_ reference: String) async throws -> Transfer {
        var transfer = try pendingOffer(reference)
        transfer.state = .rejected
        try database.transfers.update(transfer)
        publishState(transfer)
        try? await registry.session(for: transfer.contactID)?.send(.file(.reject(transfer.id, reason: "declined")))
        return transfer
    }

    func cancel(_ reference: String) async throws -> Transfer {
        var transfer = try database.transfers.resolve(reference)
        guard !transfer.state.isFinal else {
            throw TransferError.wrongState(transfer.id.uuidString, state: transfer.state.rawValue, wanted: "unfinished")
        }
        stop(transfer.id)
        transfer.state = .cancelled
        try database.transfers.update(transfer)
        if let part = transfer.partPath { unlink(part) }
        publishState(transfer)
        try? await registry.session(for: transfer.contactID)?.send(.file(.cancel(transfer.id, reason: "cancelled")))
        return transfer
    }

    func pause(_ reference: String) async throws -> Transfer {
        var transfer = try database.transfers.resolve(reference)
        let pausable: [TransferState] = transfer.direction == .incoming ? [.accepted, .active] : [.offered, .active]
        guard pausable.contains(transfer.state) else {
            throw TransferError.wrongState(transfer.id.uuidString, state: transfer.state.rawValue,
                                           wanted: transfer.direction == .incoming ? "accepted or active" : "running")
        }
        stop(transfer.id)
        transfer.state = .paused
        transfer.error = transfer.direction == .outgoing ? Self.pausedBySender : nil
        try database.transfers.update(transfer)
        publishState(transfer)
        try? await registry.session(for: transfer.contactID)?.send(.file(.pause(transfer.id)))
        return transfer
    }

    func resume(_ reference: String) async throws -> Transfer {
        var transfer = try database.transfers.resolve(reference)
        guard transfer.state == .paused || transfer.state == .failed && transfer.direction == .incoming
                && transfer.error?.contains("disk is full") == true else {
            throw TransferError.wrongState(transfer.id.uuidString, state: transfer.state.rawValue, wanted: "paused")
        }
        if transfer.direction == .outgoing && transfer.error == Self.pausedByReceiver {
            throw TransferError.pausedByPeer(transfer.id.uuidString)
        }
        transfer.error = nil
        if transfer.direction == .incoming {
            transfer.state = .accepted
            try database.transfers.update(transfer)
            await sendAccept(transfer)
        } else {
            transfer.state = .active
            try database.transfers.update(transfer)
            try? await registry.session(for: transfer.contactID)?.send(.file(.resume(transfer.id)))
        }
        publishState(transfer)
        return transfer
    }

    func list() throws -> [Transfer] { try database.transfers.all() }

    // MARK: Links

    /// A link to `peer` is up: re-offer what we send, ask for what we receive.
    func linkUp(_ session: PeerSession) async {
        let unfinished = (try? database.transfers.unfinished(with: session.peerID)) ?? []
        for transfer in unfinished {
            switch (transfer.direction, transfer.state) {
            case (.outgoing, .paused) where transfer.error == Self.pausedBySender:
                continue
            case (.outgoing, _) where session.acceptsFiles:
                try? await session.send(.file(.offer(offerFrame(for: transfer))))
            case (.outgoing, _):
                continue  // the peer does not transfer files: the offer waits
            case (.incoming, .accepted), (.incoming, .active):
                await sendAccept(transfer, on: session)
            case (.incoming, _):
                continue
            }
        }
    }

    /// A link to the peer went down: stop the streams that ran on it and make
    /// received bytes durable — unless a newer link to the same peer already
    /// took over (a replaced duplicate link), whose streams go on.
    func linkDown(_ session: PeerSession) async {
        if let current = await registry.session(for: session.peerID), current !== session {
            let stale = state.withLockedValue { state in
                state.streams.filter { $0.value.session === session }.map(\.key)
            }
            stale.forEach(stop)
            return
        }
        let unfinished = (try? database.transfers.unfinished(with: session.peerID)) ?? []
        for transfer in unfinished { stop(transfer.id) }
    }

    // MARK: Frames from peers

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

    private func dispatch(_ frame: FileTransferFrame, from contact: Contact, on session: PeerSession) async throws {
        // The hot path (chunks and acks of running transfers) is served from memory.
        switch frame {
        case .chunk(let chunk):
            if let running = state.withLockedValue({ $0.writers[chunk.transferID] }), running.transfer.contactID == contact.id {
                try Self.check(chunk.end, within: running.transfer, "FILE_CHUNK ending")
                try await write(chunk, into: running.transfer, on: session)
                return
            }
        case .ack(let id, let offset):
            if let running = state.withLockedValue({ $0.streams[id] }), running.transfer.contactID == contact.id {
                try Self.check(offset, within: running.transfer, "FILE_ACK")
                running.stream.acknowledge(offset)
                var transfer = running.transfer
                transfer.bytesDone = min(offset, transfer.size)
                progress(transfer)
                return
            }
        default:
            break
        }
        let existing = try database.transfers.transfer(frame.transferID)
        if let existing, existing.contactID != contact.id { return }  // not this peer's transfer
        switch frame {
        case .offer(let offer):
            try await received(offer, existing: existing, from: contact, on: session)
        case .accept(_, let offset):
            guard var transfer = existing, transfer.direction == .outgoing, !transfer.state.isFinal,
                  !(transfer.state == .paused && transfer.error == Self.pausedBySender) else { return }
            try Self.check(offset, within: transfer, "FILE_ACCEPT")
            transfer.state = .active
            transfer.error = nil
            transfer.bytesDone = min(offset, transfer.size)
            try database.transfers.update(transfer)
            publishState(transfer)
            startStream(transfer, from: transfer.bytesDone, on: session)
        case .reject(_, let reason), .cancel(_, let reason):
            guard var transfer = existing, !transfer.state.isFinal else { return }
            stop(transfer.id)
            if case .reject = frame { transfer.state = .rejected } else { transfer.state = .cancelled }
            transfer.error = "the peer said: \(reason)"
            if transfer.direction == .incoming, let part = transfer.partPath {
                unlink(part)
                transfer.partPath = nil
            }
            try database.transfers.update(transfer)
            publishState(transfer)
        case .pause:
            guard var transfer = existing, !transfer.state.isFinal else { return }
            stop(transfer.id)
            if transfer.direction == .outgoing {
                transfer.state = .paused
                transfer.error = Self.pausedByReceiver
                try database.transfers.update(transfer)
                publishState(transfer)
            }
        case .resume:
            guard let transfer = existing, transfer.direction == .incoming,
                  [.accepted, .active].contains(transfer.state) else { return }
            await sendAccept(transfer, on: session)
        case .chunk(let chunk):
            guard let transfer = existing, transfer.direction == .incoming,
                  [.accepted, .active].contains(transfer.state) else { return }
            try Self.check(chunk.end, within: transfer, "FILE_CHUNK ending")
            try await write(chunk, into: transfer, on: session)
        case .ack:
            break  // for a stream that is no longer running
        case .complete(_, let verified, let reason):
            guard var transfer = existing, transfer.direction == .outgoing else { return }
            stop(transfer.id)
            transfer.bytesDone = verified ? transfer.size : transfer.bytesDone
            transfer.state = verified ? .completed : .failed
            transfer.error = verified ? nil : "the receiver could not verify the file: \(reason)"
            try database.transfers.update(transfer)
            publish(verified ? .completed : .failed, transfer)
        }
    }

    private func received(_ offer: FileOffer, existing: Transfer?, from contact: Contact,
                          on session: PeerSession) async throws {
        if let existing {
            // A re-offer after a reconnect: say where we are.
            switch existing.state {
            case .accepted, .active: await sendAccept(existing, on: session)
            case .completed: try await session.send(.file(.complete(existing.id, verified: true, reason: "")))
            case .rejected: try await session.send(.file(.reject(existing.id, reason: "declined")))
            case .cancelled: try await session.send(.file(.cancel(existing.id, reason: "cancelled")))
            case .offered, .paused, .failed: break
            }
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
            publishState(transfer)
            return
        }
        try database.transfers.insert(transfer)
        events.publish(.transfer(.offered, EventPeer(contact.id, name: contact.name), transfer))
        if let autoAccept = rules.autoAcceptMaxBytes, offer.size <= autoAccept {
            _ = try await accept(transfer.id.uuidString, into: nil)
        }
    }

    // MARK: Receiving

    private func write(_ chunk: FileChunk, into transfer: Transfer, on session: PeerSession) async throws {
        var transfer = transfer
        let writer: IncomingFileWriter
        do {
            writer = try openWriter(for: transfer)
            if transfer.state != .active {
                transfer.state = .active
                try database.transfers.update(transfer)
            }
            let result = try writer.write(chunk.data, at: chunk.offset)
            if case .written = result {
                let ackEvery: UInt64 = 256 * 1024
                if writer.writtenOffset % ackEvery < UInt64(chunk.data.count) || writer.writtenOffset == transfer.size {
                    try await session.send(.file(.ack(transfer.id, offset: writer.writtenOffset)))
                }
                progress(transfer, bytes: writer.writtenOffset)
            }
        } catch let error as TransferError {
            if let running = state.withLockedValue({ $0.writers.removeValue(forKey: transfer.id) }) {
                transfer.bytesDone = max(transfer.bytesDone, running.writer.durableOffset)
            }
            transfer.bytesDone = max(transfer.bytesDone, (try? database.transfers.transfer(transfer.id))?.bytesDone ?? 0)
            if case .diskFull = error {
                transfer.state = .paused
                transfer.error = error.description
                try database.transfers.update(transfer)
                publish(.failed, transfer)
                try await session.send(.file(.pause(transfer.id)))
                return
            }
            transfer.state = .failed
            transfer.error = error.description
            try database.transfers.update(transfer)
            publish(.failed, transfer)
            try await session.send(.file(.cancel(transfer.id, reason: error.description)))
            return
        }
        if writer.writtenOffset == transfer.size {
            try await finish(transfer, writer: writer, on: session)
        }
    }

    private func openWriter(for transfer: Transfer) throws -> IncomingFileWriter {
        if let running = state.withLockedValue({ $0.writers[transfer.id] }) { return running.writer }
        guard let part = transfer.partPath else { throw TransferError.cannotWrite(transfer.fileName, "no part file") }
        let database = database, id = transfer.id
        let writer = try IncomingFileWriter(partPath: part, size: transfer.size, resumingAt: transfer.bytesDone) { durable in
            try? database.transfers.recordDurable(id, bytes: durable)
        }
        var running = transfer
        running.state = .active
        state.withLockedValue { $0.writers[transfer.id] = (writer, running) }
        return writer
    }

    /// All bytes are in: verify, then rename to the final name (never over an
    /// existing file). Any failure marks the transfer failed and tells the sender.
    @discardableResult
    private func finish(_ transfer: Transfer, writer: IncomingFileWriter, on session: PeerSession?) async throws -> Transfer {
        var transfer = transfer
        state.withLockedValue { _ = $0.writers.removeValue(forKey: transfer.id) }
        do {
            try writer.sync()
            transfer.bytesDone = writer.durableOffset
            guard writer.digest() == transfer.sha256, let final = transfer.localPath else {
                throw TransferError.checksumMismatch(writer.partPath)
            }
            transfer.localPath = try DownloadFolder.finalize(part: writer.partPath, final: final)
        } catch {
            transfer.state = .failed
            transfer.error = String(describing: error)
            try database.transfers.update(transfer)
            publish(.failed, transfer)
            let reason = (error as? TransferError).map { if case .checksumMismatch = $0 { "SHA-256 mismatch" } else { "\($0)" } }
            try? await session?.send(.file(.complete(transfer.id, verified: false, reason: reason ?? "\(error)")))
            return transfer
        }
        transfer.partPath = nil
        transfer.state = .completed
        try database.transfers.update(transfer)
        publish(.completed, transfer)
        try? await session?.send(.file(.complete(transfer.id, verified: true, reason: "")))
        return transfer
    }

    private func sendAccept(_ transfer: Transfer, on session: PeerSession? = nil) async {
        guard let session = await resolveSession(session, transfer.contactID) else { return }
        try? await session.send(.file(.accept(transfer.id, offset: transfer.bytesDone)))
    }

    private func resolveSession(_ session: PeerSession?, _ peer: ContactID) async -> PeerSession? {
        if let session { return session }
        return await registry.session(for: peer)
    }

    // MARK: Sending

    private func startStream(_ transfer: Transfer, from offset: UInt64, on session: PeerSession) {
        stop(transfer.id)
        let stream = OutgoingStream(startingAt: offset)
        let task = Task { [self] in
            do {
                try await pump(transfer, stream: stream, from: offset, on: session)
            } catch is CancellationError {
            } catch let error as TransferError {
                // The file is gone, shorter or changed: fail the transfer here and there, saying why.
                logger.notice("sending \(transfer.fileName) failed: \(error)")
                await failOutgoing(transfer.id, error, on: session)
            } catch {
                logger.notice("sending \(transfer.fileName) stopped: \(error)")
            }
        }
        state.withLockedValue { $0.streams[transfer.id] = (stream, task, transfer, session) }
    }

    /// Reads the file and sends chunks while the window allows.
    private func pump(_ transfer: Transfer, stream: OutgoingStream, from offset: UInt64,
                      on session: PeerSession) async throws {
        guard let path = transfer.localPath, let handle = FileHandle(forReadingAtPath: path) else {
            throw TransferError.cannotRead(transfer.localPath ?? transfer.fileName, "the file is gone")
        }
        defer { try? handle.close() }
        try SourceFile.check(path, descriptor: handle.fileDescriptor, against: transfer.sourceSignature)
        try handle.seek(toOffset: offset)
        var next = offset
        var sent = transfer.bytesSent
        var lastSave = ContinuousClock.now
        defer { try? recordSent(transfer.id, sent: sent, acked: stream.acked) }
        while next < transfer.size {
            try Task.checkCancellation()
            while !stream.maySend(next) {
                await stream.ackArrived.wait(timeout: .seconds(1))
                try Task.checkCancellation()
            }
            let count = Int(min(UInt64(WireLimits.maxFileChunkBytes), transfer.size - next))
            guard let data = try handle.read(upToCount: count), data.count == count else {
                throw TransferError.cannotRead(path, "the file became shorter than offered")
            }
            try await session.send(.file(.chunk(FileChunk(transferID: transfer.id, offset: next, data: Array(data)))))
            next += UInt64(count)
            sent += UInt64(count)
            stream.sent(upTo: next)
            if lastSave.duration(to: .now) > .seconds(1) || next == transfer.size {
                lastSave = .now
                try SourceFile.check(path, descriptor: handle.fileDescriptor, against: transfer.sourceSignature)
                try recordSent(transfer.id, sent: sent, acked: stream.acked)
            }
        }
    }

    /// Marks an outgoing transfer failed with `error` and tells the receiver why.
    private func failOutgoing(_ id: UUID, _ error: TransferError, on session: PeerSession) async {
        state.withLockedValue { _ = $0.streams.removeValue(forKey: id) }
        guard var transfer = try? database.transfers.transfer(id), !transfer.state.isFinal else { return }
        transfer.state = .failed
        transfer.error = error.description
        try? database.transfers.update(transfer)
        publish(.failed, transfer)
        let reason = CloseReason.fitting("the sender's file failed: \(error)")
        try? await session.send(.file(.cancel(id, reason: reason)))
    }

    private func recordSent(_ id: UUID, sent: UInt64, acked: UInt64) throws {
        guard var current = try database.transfers.transfer(id), current.state == .active else { return }
        current.bytesSent = sent
        current.bytesDone = max(current.bytesDone, acked)
        try database.transfers.update(current)
    }

    /// Stops whatever runs for a transfer (stream or writer), keeping durable progress.
    private func stop(_ id: UUID) {
        let (task, writer) = state.withLockedValue { state in
            (state.streams.removeValue(forKey: id)?.task, state.writers.removeValue(forKey: id))
        }
        task?.cancel()
        if let writer = writer?.writer, (try? writer.sync()) != nil {
            try? database.transfers.recordDurable(id, bytes: writer.durableOffset)
        }
    }

    // MARK: Events

    private func offerFrame(for transfer: Transfer) -> FileOffer {
        FileOffer(transferID: transfer.id, fileName: transfer.fileName, size: transfer.size,
                  sha256: FileHasher.bytes(fromHex: transfer.sha256), mimeType: transfer.mimeType ?? "")
    }

    /// Bytes per second lately, if the transfer is running.
    func rate(of id: UUID) -> Double? {
        state.withLockedValue { state in
            guard let sample = state.rates[id], sample.at.duration(to: .now) < .seconds(3) else { return nil }
            return sample.rate
        }
    }

    private func progress(_ transfer: Transfer, bytes: UInt64? = nil) {
        let done = bytes ?? transfer.bytesDone
        state.withLockedValue { state in
            let now = ContinuousClock.now
            guard let sample = state.rates[transfer.id] else {
                state.rates[transfer.id] = (now, done, 0)
                return
            }
            let elapsed = sample.at.duration(to: now)
            guard elapsed >= .milliseconds(250), done >= sample.bytes else { return }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let instant = Double(done - sample.bytes) / seconds
            state.rates[transfer.id] = (now, done, sample.rate == 0 ? instant : 0.7 * sample.rate + 0.3 * instant)
        }
        let due = state.withLockedValue { state -> Bool in
            if let last = state.lastProgress[transfer.id], last.duration(to: .now) < .seconds(1) { return false }
            state.lastProgress[transfer.id] = .now
            return true
        }
        guard due else { return }
        var snapshot = transfer
        snapshot.bytesDone = bytes ?? transfer.bytesDone
        events.publish(.transfer(.progress, EventPeer(transfer.contactID, name: nil), snapshot))
    }

    private func publishState(_ transfer: Transfer) {
        publish(.stateChanged, transfer)
    }

    private func publish(_ kind: TransferEventKind, _ transfer: Transfer) {
        events.publish(.transfer(kind, EventPeer(transfer.contactID, name: nil), transfer))
    }
}
