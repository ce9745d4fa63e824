import Foundation
import ParleyCore
import ParleyStore
import ParleyWire

/// The sender's I/O: one stream task per running transfer, reading the file into chunks
/// while the window allows.
extension TransferManager {
    /// Starts streaming from the acknowledged offset, replacing a stream already running.
    func startStream(_ transfer: Transfer, on session: PeerSession) {
        stopRunning(transfer.id)
        let offset = transfer.bytesDone
        let stream = OutgoingStream(startingAt: offset)
        let task = Task { [self] in
            do {
                try await pump(transfer, stream: stream, from: offset, on: session)
            } catch is CancellationError {
            } catch let error as TransferError {
                // The file is gone, shorter or changed: fail the transfer here and there, saying why.
                logger.notice("sending \(transfer.fileName) failed: \(error)")
                await failSending(transfer.id, stream, error, on: session)
            } catch {
                logger.notice("sending \(transfer.fileName) stopped: \(error)")
            }
        }
        running.start(transfer, .sending(RunningTransfers.Sending(stream: stream, task: task, session: session)))
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
        let database = database
        defer { try? database.transfers.recordSent(transfer.id, sent: sent, acknowledged: stream.acked) }
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
                try database.transfers.recordSent(transfer.id, sent: sent, acknowledged: stream.acked)
            }
        }
    }

    /// The stream failed on our side: the transfer fails here and the receiver is told why.
    private func failSending(_ id: UUID, _ stream: OutgoingStream, _ error: TransferError, on session: PeerSession) async {
        running.remove(id, ifStreaming: stream)  // this task is the stream: it ends here, nothing to cancel
        guard let transfer = try? database.transfers.transfer(id) else { return }
        let reason: TransferFailureReason = if case .sourceChanged = error { .sourceChanged } else { .sourceUnreadable }
        _ = try? await drive(transfer, .failed(reason, detail: error.description), TransferOccasion(session: session))
    }
}
