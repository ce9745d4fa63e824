import Dispatch
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import ParleyCore
import ParleyNet
import ParleyStore
import ParleyWire

/// Drives the contact side of a peer session with raw bytes, as a contact
/// would send them after HELLO, against a real store in a temporary folder:
/// the bytes are cut into frames by the wire's own decoder, and each frame
/// goes through the same code as on a live link (chat storage, receipts,
/// file offers, chunks written to disk, acknowledgements). A decoding error
/// or a ``PeerViolation`` ends the input, as it closes a live link.
///
/// For the node-level fuzzer (`make fuzz-node`) and its regression tests,
/// which fail on any of ``invariantProblems()`` after an input.
@_spi(Fuzzing)
public final class PeerFrameHarness: @unchecked Sendable {
    /// How one input ended.
    public enum Outcome: Equatable, Sendable {
        /// Every frame was handled.
        case handled(frames: Int)
        /// A frame did not decode: the link would close with `CLOSE(protocolError)`.
        case malformed(String)
        /// A frame broke the protocol's rules: the link would close with `CLOSE(protocolError)`.
        case violation(String)
        /// The session ended the link itself (CLOSE or a second HELLO).
        case ended
        /// The store or the file system failed (not the peer's doing).
        case failed(String)
    }

    private let folder: URL
    private let database: ParleyDatabase
    private let contact: Contact
    private let runner: PeerSessionRunner
    private let transfers: TransferManager
    private let channel: NIOAsyncTestingChannel
    private let session: PeerSession
    private let logger: Logger

    /// A fresh store in `folder` with one contact whose offers up to 1 MiB are accepted automatically.
    public init(folder: URL) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.folder = folder
        var logger = Logger(label: "parley.fuzz")
        logger.logLevel = .critical
        self.logger = logger
        database = try ParleyDatabase(path: folder.appending(path: "parley.db").path)
        let identity = try Identity.generate()
        let peer = try Identity.generate().contactID
        try database.contacts.add(id: peer, name: "peer")
        try database.contacts.setFileRules(.init(autoAcceptMaxBytes: 1 << 20, maxBytes: nil), for: "peer")
        guard let contact = try database.contacts.contact(for: peer) else { throw StoreError.unknownContact("peer") }
        self.contact = contact
        let registry = LinkRegistry(ownID: identity.contactID)
        let events = EventHub()
        let downloads = DownloadFolder(path: folder.appending(path: "downloads").path)
        transfers = TransferManager(database: database, registry: registry, events: events, downloads: downloads,
                                    maxOpenOffers: 8, logger: logger)
        runner = PeerSessionRunner(
            identity: identity, database: database, registry: registry, events: events,
            requestGate: ContactRequestGate(database: database, limits: NodeLimits(), logger: logger),
            unauthenticated: UnauthenticatedConnections(),
            services: [transfers, CallManager(ownID: identity.contactID, database: database, registry: registry, events: events,
                               logger: logger, settings: { CallSettings() }, mediaFactory: CallMediaSessionLeg.start),
                       ExternalAddressService(database: database, registry: registry, logger: logger)],
            listenPort: { 0 },
            displayName: { "fuzz" }, logger: logger)
        let testingChannel = NIOAsyncTestingChannel()
        channel = testingChannel
        let asyncChannel = try await testingChannel.eventLoop.submit {
            try NIOAsyncChannel<WireMessage, WireMessage>(wrappingChannelSynchronously: testingChannel)
        }.get()
        session = PeerSession(peerID: peer, initiator: peer, direction: .incoming, remoteAddress: nil,
                              capabilities: Set(Hello.Capability.current), outbound: asyncChannel.outbound,
                              channel: testingChannel)
    }

    /// Feeds one input's bytes as frames, as one link's worth of traffic.
    @discardableResult
    public func run(_ bytes: [UInt8]) async -> Outcome {
        let outcome = await feed(bytes)
        while (try? await channel.readOutbound(as: WireMessage.self)) != nil {}
        return outcome
    }

    /// ``init(folder:)`` for a caller outside Swift concurrency (libFuzzer's thread).
    /// Blocks the calling thread: never call it from a task.
    public static func blocking(folder: URL) throws -> PeerFrameHarness {
        try waitOutsideConcurrency { try await PeerFrameHarness(folder: folder) }
    }

    /// ``run(_:)`` for a caller outside Swift concurrency (libFuzzer's thread).
    /// Blocks the calling thread: never call it from a task.
    @discardableResult
    public func runBlocking(_ bytes: [UInt8]) -> Outcome {
        (try? Self.waitOutsideConcurrency { [self] in await run(bytes) }) ?? .failed("no outcome")
    }

    /// How many calls the call log holds.
    public var callLogCount: Int { (try? database.calls.recent(limit: 100_000).count) ?? -1 }

    /// The addresses the store holds for the contact, as dialled (manual first, then learned, newest first).
    public var contactAddresses: [String] {
        ((try? database.contacts.contact(for: contact.id))?.addresses ?? []).map(\.description)
    }

    /// Where accepted files land.
    public var downloadsPath: String { folder.appending(path: "downloads").path }

    /// Removes the temporary folder.
    public func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func feed(_ bytes: [UInt8]) async -> Outcome {
        var decoder = FrameDecoder()
        decoder.append(bytes)
        let inbox = BatchQueue<MessageRepository.Incoming>(highWaterMark: .max)
        var frames = 0
        var outcome = Outcome.handled(frames: 0)
        reading: while true {
            do {
                guard let frame = try decoder.nextFrame() else { break }
                let message = try WireMessage(frame: frame)
                frames += 1
                guard try await runner.receive(message, from: contact, on: session, inbox: inbox, logger: logger) else {
                    outcome = .ended
                    break reading
                }
                outcome = .handled(frames: frames)
            } catch let error as WireError {
                outcome = .malformed(error.description)
                break
            } catch let violation as PeerViolation {
                outcome = .violation(violation.reason)
                break
            } catch {
                outcome = .failed(String(describing: error))
                break
            }
        }
        // What arrived before the end is stored, as the live link's group commit does.
        inbox.finish()
        while let batch = await inbox.next() {
            do {
                try await runner.persist(batch, from: contact, on: session)
            } catch {
                return .failed(String(describing: error))
            }
        }
        await transfers.linkDown(session)  // the link is gone: writers stop, progress is kept
        return outcome
    }

    /// What must hold whatever a peer sent, as sentences for each broken rule:
    /// sizes and progress in range, no file outside the download folder, times
    /// representable, no NUL stored; with `checkingDatabase`, SQLite's own
    /// check too. `recent` bounds how many of the newest transfers and messages
    /// are looked at (one input of at most a few KiB adds far fewer).
    public func invariantProblems(recent: Int = 10_000, checkingDatabase: Bool = true) -> [String] {
        var problems: [String] = []
        let downloads = folder.appending(path: "downloads").path + "/"
        do {
            for transfer in try database.transfers.all(limit: recent) {
                if transfer.size > WireLimits.maxFileSize { problems.append("stored an impossible size \(transfer.size)") }
                if transfer.bytesDone > transfer.size {
                    problems.append("progress \(transfer.bytesDone) past the size \(transfer.size)")
                }
                for path in [transfer.localPath, transfer.partPath].compactMap({ $0 }) where !path.hasPrefix(downloads) {
                    problems.append("a file outside the download folder: \(path)")
                }
            }
            for message in try database.messages.history(with: contact.id, limit: recent) {
                if message.sentAt.wireTimestamp > WireLimits.maxTimestampMilliseconds {
                    problems.append("stored an impossible time \(message.sentAt)")
                }
                if message.body.utf8.contains(0) { problems.append("stored a NUL") }
            }
            if checkingDatabase {
                let integrity = try database.writer.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
                if integrity != "ok" { problems.append("database check: \(integrity ?? "no answer")") }
            }
        } catch {
            problems.append("the store could not be read: \(error)")
        }
        return problems
    }

    private static func waitOutsideConcurrency<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<Result<T, any Error>>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.value = .success(try await body()) } catch { box.value = .failure(error) }
            done.signal()
        }
        done.wait()
        guard let result = box.value else { throw CancellationError() }
        return try result.get()
    }
}

/// A value handed from a task to the thread waiting for it (the semaphore orders the accesses).
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
