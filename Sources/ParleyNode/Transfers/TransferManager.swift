import Foundation
import Logging
import ParleyCore
import ParleyStore
import ParleyWire
#if canImport(Glibc)
import Glibc
#endif

/// Runs file transfers over the peer links: offers, acceptance, chunk
/// streaming with flow control, durable progress, resume after a dropped
/// link or a restart, and verification before the final rename.
///
/// The rules live in ``TransferMachine``: every command, frame, link change and I/O
/// result becomes an event for the machine of its transfer (built from the stored row),
/// and the manager carries out the actions it returns. The stored row is the state;
/// ``RunningTransfers`` holds the streams and part files that run now.
final class TransferManager: Sendable {
    let database: ParleyDatabase
    let registry: LinkRegistry
    let events: EventHub
    let downloads: DownloadFolder
    let maxOpenOffers: Int
    let logger: Logger
    /// The streams and part files running now.
    let running = RunningTransfers()

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
        return try await drive(transfer, .localOffer)
    }

    /// Accepts an incoming offer into `directory` (default: the download folder).
    func accept(_ reference: String, into directory: String?) async throws -> Transfer {
        let transfer = try database.transfers.resolve(reference)
        let folder = directory.map { DownloadFolder(path: URL(fileURLWithPath: $0).standardizedFileURL.path) } ?? downloads
        return try await drive(transfer, .localAccept, TransferOccasion(folder: folder))
    }

    func reject(_ reference: String) async throws -> Transfer {
        try await drive(try database.transfers.resolve(reference), .localReject)
    }

    func cancel(_ reference: String) async throws -> Transfer {
        try await drive(try database.transfers.resolve(reference), .localCancel)
    }

    func pause(_ reference: String) async throws -> Transfer {
        try await drive(try database.transfers.resolve(reference), .localPause)
    }

    func resume(_ reference: String) async throws -> Transfer {
        try await drive(try database.transfers.resolve(reference), .localResume)
    }

    func list() throws -> [Transfer] { try database.transfers.all() }

    /// Bytes per second lately, if the transfer is running.
    func rate(of id: UUID) -> Double? { running.rate(of: id) }

    // MARK: Links

    /// A link to `peer` is up: re-offer what we send, ask for what we receive.
    func linkUp(_ session: PeerSession) async {
        let unfinished = (try? database.transfers.unfinished(with: session.peerID)) ?? []
        for transfer in unfinished {
            _ = try? await drive(transfer, .linkUp, TransferOccasion(session: session))
        }
    }

    /// A link to the peer went down: stop the streams that ran on it and make
    /// received bytes durable — unless a newer link to the same peer already
    /// took over (a replaced duplicate link), whose streams go on.
    func linkDown(_ session: PeerSession) async {
        let unfinished: [Transfer]
        if let current = await registry.session(for: session.peerID), current !== session {
            unfinished = running.sending(on: session)
        } else {
            unfinished = (try? database.transfers.unfinished(with: session.peerID)) ?? []
        }
        for transfer in unfinished {
            _ = try? await drive(transfer, .linkDown, TransferOccasion(session: session))
        }
    }

    // MARK: Driving the machine

    /// Feeds `event` to the machine of `transfer` and carries out its actions, in order.
    /// Returns the transfer as it is afterwards. A request of the user that does not apply
    /// throws a ``TransferError``; any other event that does not apply changes nothing.
    @discardableResult
    func drive(_ transfer: Transfer, _ event: TransferMachine.Event,
               _ occasion: TransferOccasion = TransferOccasion()) async throws -> Transfer {
        var machine = TransferMachine(transfer)
        let actions: [TransferMachine.Action]
        switch machine.apply(event) {
        case .success(let planned): actions = planned
        case .failure(.notApplicable): return transfer
        case .failure(let refusal): throw TransferError(refusal, transfer)
        }
        var transfer = transfer
        transfer.take(machine.state)
        var occasion = occasion
        for action in actions {
            try await perform(action, on: &transfer, &occasion)
        }
        return transfer
    }

    private func perform(_ action: TransferMachine.Action, on transfer: inout Transfer,
                         _ occasion: inout TransferOccasion) async throws {
        let id = transfer.id
        switch action {
        case .sendOffer:
            guard let session = await occasion.session(to: transfer.contactID, in: registry), session.acceptsFiles else { return }
            try? await session.send(.file(.offer(offerFrame(for: transfer))))
        case .sendAccept:
            await send(.accept(id, offset: transfer.bytesDone), to: transfer, &occasion)
        case .sendReject(let reason):
            await send(.reject(id, reason: CloseReason.fitting(reason)), to: transfer, &occasion)
        case .sendCancel(let reason):
            await send(.cancel(id, reason: CloseReason.fitting(reason)), to: transfer, &occasion)
        case .sendPause:
            await send(.pause(id), to: transfer, &occasion)
        case .sendResume:
            await send(.resume(id), to: transfer, &occasion)
        case .sendComplete(let verified, let reason):
            await send(.complete(id, verified: verified, reason: CloseReason.fitting(reason)), to: transfer, &occasion)
        case .reserveName:
            let folder = occasion.folder ?? downloads
            let (final, part) = try folder.reserve(transfer.fileName, avoiding: try database.transfers.reservedDownloadPaths())
            transfer.localPath = final
            transfer.partPath = part
        case .startStream:
            // FILE_ACCEPT, which starts a stream, always comes on a link.
            guard let session = occasion.session else { return }
            startStream(transfer, on: session)
        case .stopStream, .closeWriter:
            if let durable = stopRunning(id) { transfer.bytesDone = max(transfer.bytesDone, durable) }
        case .acknowledge(let offset):
            guard let stream = running.stream(id)?.stream else { return }
            stream.acknowledge(offset)
            transfer.bytesDone = offset
            progress(transfer, bytes: offset)
        case .writeChunk:
            guard let chunk = occasion.chunk else { return }
            transfer = try await write(chunk, into: transfer, occasion)
        case .verifyAndRename:
            transfer = try await finish(transfer, occasion)
        case .deletePartFile:
            if let part = transfer.partPath { unlink(part) }
            transfer.partPath = nil
        case .recordAcknowledged(let offset):
            transfer.bytesDone = offset
        case .describe(let text):
            transfer.error = text
        case .persist:
            try database.transfers.update(transfer)
        case .emit(let notice):
            publish(TransferEventKind(notice), transfer)
        }
    }

    /// Sends a file frame on the occasion's link, else on the contact's current one, if any.
    private func send(_ frame: FileTransferFrame, to transfer: Transfer, _ occasion: inout TransferOccasion) async {
        guard let session = await occasion.session(to: transfer.contactID, in: registry) else { return }
        try? await session.send(.file(frame))
    }

    /// Stops whatever runs for transfer `id`: cancels its stream, or flushes its part file
    /// and records the durable offset, which it returns.
    @discardableResult
    func stopRunning(_ id: UUID) -> UInt64? {
        switch running.remove(id)?.work {
        case .sending(let sending)?:
            sending.task.cancel()
            return nil
        case .receiving(let writer)?:
            if (try? writer.sync()) != nil {
                try? database.transfers.recordDurable(id, bytes: writer.durableOffset)
            }
            return writer.durableOffset
        case nil:
            return nil
        }
    }

    // MARK: Events

    func offerFrame(for transfer: Transfer) -> FileOffer {
        FileOffer(transferID: transfer.id, fileName: transfer.fileName, size: transfer.size,
                  sha256: FileHasher.bytes(fromHex: transfer.sha256), mimeType: transfer.mimeType ?? "")
    }

    /// Publishes a progress event for `bytes` done, at most once a second per running transfer.
    func progress(_ transfer: Transfer, bytes: UInt64) {
        guard running.progressDue(transfer.id, bytes: bytes) else { return }
        var snapshot = transfer
        snapshot.bytesDone = bytes
        events.publish(.transfer(.progress, EventPeer(transfer.contactID, name: nil), snapshot))
    }

    func publish(_ kind: TransferEventKind, _ transfer: Transfer) {
        events.publish(.transfer(kind, EventPeer(transfer.contactID, name: nil), transfer))
    }
}

/// What an event for the transfer machine comes with, for the actions that need it.
struct TransferOccasion: Sendable {
    /// The link the event came on; else frames go on the contact's current link, if any.
    var session: PeerSession?
    /// Where an accepted file goes (else the download folder).
    var folder: DownloadFolder?
    /// The chunk to write.
    var chunk: FileChunk?

    init(session: PeerSession? = nil, folder: DownloadFolder? = nil, chunk: FileChunk? = nil) {
        self.session = session
        self.folder = folder
        self.chunk = chunk
    }

    /// The link to send on, looked up once.
    mutating func session(to contact: ContactID, in registry: LinkRegistry) async -> PeerSession? {
        if let session { return session }
        session = await registry.session(for: contact)
        return session
    }
}

extension TransferEventKind {
    init(_ notice: TransferMachine.Notice) {
        switch notice {
        case .stateChanged: self = .stateChanged
        case .completed: self = .completed
        case .failed: self = .failed
        }
    }
}
