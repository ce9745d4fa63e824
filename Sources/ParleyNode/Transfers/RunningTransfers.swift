import Foundation
import NIOConcurrencyHelpers
import ParleyCore

/// The transfers whose bytes move now: each outgoing stream with the task that feeds it,
/// each incoming part file being written, and their progress bookkeeping. The one owner
/// of the running I/O: an entry — with its rate and its progress-event throttle — leaves
/// when its transfer stops, pauses or ends, so nothing outlives it.
final class RunningTransfers: Sendable {
    /// One outgoing stream: its flow control, the task that feeds it and the link it runs on.
    struct Sending: Sendable {
        let stream: OutgoingStream
        let task: Task<Void, Never>
        let session: PeerSession
    }

    /// What runs for a transfer.
    enum Work: Sendable {
        case sending(Sending)
        case receiving(IncomingFileWriter)
    }

    struct Entry: Sendable {
        /// The transfer as it was when it started running (state `active`), so the hot path
        /// (chunks, acknowledgements) needs no database read.
        let transfer: Transfer
        let work: Work
        /// Receiving: bytes written per second (a stream measures its own acknowledged rate).
        var written = RateMeter(newSampleWeight: 0.3, minimumInterval: .milliseconds(250))
        /// When the last progress event went out.
        var lastProgressEvent: ContinuousClock.Instant?
    }

    private let entries = NIOLockedValueBox<[UUID: Entry]>([:])

    /// The running stream of transfer `id`, with its transfer.
    func stream(_ id: UUID) -> (stream: OutgoingStream, transfer: Transfer)? {
        entries.withLockedValue { entries in
            guard let entry = entries[id], case .sending(let sending) = entry.work else { return nil }
            return (sending.stream, entry.transfer)
        }
    }

    /// The open part file of transfer `id`, with its transfer.
    func writer(_ id: UUID) -> (writer: IncomingFileWriter, transfer: Transfer)? {
        entries.withLockedValue { entries in
            guard let entry = entries[id], case .receiving(let writer) = entry.work else { return nil }
            return (writer, entry.transfer)
        }
    }

    /// Registers what now runs for `transfer`; returns what ran before (for the caller to stop).
    @discardableResult
    func start(_ transfer: Transfer, _ work: Work) -> Entry? {
        entries.withLockedValue { entries in
            let previous = entries[transfer.id]
            entries[transfer.id] = Entry(transfer: transfer, work: work)
            return previous
        }
    }

    /// Takes transfer `id` out: it no longer runs. The caller stops what the entry holds.
    func remove(_ id: UUID) -> Entry? {
        entries.withLockedValue { $0.removeValue(forKey: id) }
    }

    /// Takes transfer `id` out if `stream` is what runs for it (not a newer stream that replaced it).
    func remove(_ id: UUID, ifStreaming stream: OutgoingStream) {
        entries.withLockedValue { entries in
            guard case .sending(let sending)? = entries[id]?.work, sending.stream === stream else { return }
            entries[id] = nil
        }
    }

    /// The transfers streaming on `session`.
    func sending(on session: PeerSession) -> [Transfer] {
        entries.withLockedValue { entries in
            entries.values.compactMap { entry in
                guard case .sending(let sending) = entry.work, sending.session === session else { return nil }
                return entry.transfer
            }
        }
    }

    /// Records that `bytes` are done for transfer `id`; whether a progress event is due
    /// (at most one a second per transfer).
    func progressDue(_ id: UUID, bytes: UInt64, now: ContinuousClock.Instant = .now) -> Bool {
        entries.withLockedValue { entries in
            guard var entry = entries[id] else { return false }
            if case .receiving = entry.work { entry.written.record(bytes, at: now) }
            let due = entry.lastProgressEvent.map { $0.duration(to: now) >= .seconds(1) } ?? true
            if due { entry.lastProgressEvent = now }
            entries[id] = entry
            return due
        }
    }

    /// Bytes per second lately, if transfer `id` runs and its bytes moved in the last seconds.
    func rate(of id: UUID) -> Double? {
        let work: (Work, RateMeter)? = entries.withLockedValue { entries in entries[id].map { ($0.work, $0.written) } }
        switch work {
        case (.sending(let sending), _)?: return sending.stream.bytesPerSecond
        case (.receiving, let written)?: return written.current(at: .now)
        case nil: return nil
        }
    }
}
