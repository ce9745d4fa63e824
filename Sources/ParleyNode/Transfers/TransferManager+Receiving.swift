import ParleyCore
import ParleyStore
import ParleyWire

/// The receiver's I/O: chunks into the part file, then verification and the final name.
extension TransferManager {
    /// Writes a chunk; a full disk pauses the transfer, any other write error fails it, and
    /// the last byte starts verification. Returns the transfer as it is afterwards.
    func write(_ chunk: FileChunk, into transfer: Transfer, _ occasion: TransferOccasion) async throws -> Transfer {
        let writer: IncomingFileWriter
        do {
            writer = try openWriter(for: transfer)
            if case .written = try writer.write(chunk.data, at: chunk.offset) {
                let ackEvery: UInt64 = 256 * 1024
                if writer.writtenOffset % ackEvery < UInt64(chunk.data.count) || writer.writtenOffset == transfer.size {
                    try await occasion.session?.send(.file(.ack(transfer.id, offset: writer.writtenOffset)))
                }
                progress(transfer, bytes: writer.writtenOffset)
            }
        } catch let error as TransferError {
            if case .diskFull = error {
                return try await drive(transfer, .diskFull(detail: error.description), occasion)
            }
            return try await drive(transfer, .failed(.writeFailed, detail: error.description), occasion)
        }
        guard writer.writtenOffset == transfer.size else { return transfer }
        return try await drive(transfer, .allBytesWritten, occasion)
    }

    /// The transfer's open part file, else a newly opened one (registered as running).
    private func openWriter(for transfer: Transfer) throws -> IncomingFileWriter {
        if let writer = running.writer(transfer.id)?.writer { return writer }
        let writer = try newWriter(for: transfer)
        var runningTransfer = transfer
        runningTransfer.state = .active
        running.start(runningTransfer, .receiving(writer))
        return writer
    }

    /// Opens the part file at the durable offset; durable progress is recorded as it grows.
    private func newWriter(for transfer: Transfer) throws -> IncomingFileWriter {
        guard let part = transfer.partPath else { throw TransferError.cannotWrite(transfer.fileName, "no part file") }
        let database = database, id = transfer.id
        return try IncomingFileWriter(partPath: part, size: transfer.size, resumingAt: transfer.bytesDone) { durable in
            try? database.transfers.recordDurable(id, bytes: durable)
        }
    }

    /// All bytes are in: verify, then rename to the final name (never over an existing
    /// file). Any failure fails the transfer and tells the sender.
    func finish(_ transfer: Transfer, _ occasion: TransferOccasion) async throws -> Transfer {
        let writer: IncomingFileWriter
        if case .receiving(let running)? = running.remove(transfer.id)?.work {
            writer = running
        } else {
            writer = try newWriter(for: transfer)  // an empty file: nothing was written
        }
        var done = transfer
        do {
            try writer.sync()
            done.bytesDone = writer.durableOffset
            guard writer.digest() == transfer.sha256, let final = transfer.localPath else {
                throw TransferError.checksumMismatch(writer.partPath)
            }
            done.localPath = try DownloadFolder.finalize(part: writer.partPath, final: final)
        } catch {
            let reason: TransferFailureReason =
                if case .checksumMismatch? = error as? TransferError { .hashMismatch } else { .finishFailed }
            return try await drive(done, .failed(reason, detail: String(describing: error)), occasion)
        }
        done.partPath = nil
        return try await drive(done, .verified, occasion)
    }
}
