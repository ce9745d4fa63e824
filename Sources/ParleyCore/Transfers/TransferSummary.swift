import Foundation

/// Words for a transfer shown among a conversation's messages (terminal UI and
/// `parley history`): what it is, `report.pdf, 2.4 MiB`, and where it stands now,
/// `sent`, `saved to ~/Downloads/parley/photo.jpg`, `failed: …`.
public enum TransferSummary {
    /// The file's name and size: `report.pdf, 2.4 MiB`.
    public static func title(of transfer: Transfer) -> String {
        "\(transfer.fileName), \(ByteCount.readable(transfer.size))"
    }

    /// The transfer's current state in words; `showPath` writes a local path as it should
    /// appear (e.g. with the home folder as `~`).
    public static func status(of transfer: Transfer, showPath: (String) -> String = { $0 }) -> String {
        let outgoing = transfer.direction == .outgoing
        switch transfer.state {
        case .offered:
            return outgoing ? "offered, waiting for an answer" : "offered"
        case .accepted:
            return "accepted"
        case .active:
            return (outgoing ? "sending, " : "receiving, ") + "\(percentDone(transfer)) %"
        case .paused:
            switch transfer.pauseReason {
            case .bySender?: return "paused by the sender"
            case .byReceiver?: return "paused by the receiver"
            case .diskFull?: return "paused: the disk is full"
            case nil: return "paused"
            }
        case .completed:
            if outgoing { return "sent" }
            return transfer.localPath.map { "saved to " + showPath($0) } ?? "received"
        case .failed:
            return "failed: " + failure(of: transfer)
        case .rejected:
            return "declined"
        case .cancelled:
            return "cancelled"
        }
    }

    /// Whole per cent of the file confirmed (0–100; an empty file is done).
    public static func percentDone(_ transfer: Transfer) -> Int {
        guard transfer.size > 0 else { return 100 }
        let fraction = Double(min(transfer.bytesDone, transfer.size)) / Double(transfer.size)
        return Int((fraction * 100).rounded(.down))
    }

    /// Why it failed: the typed reason in a few words, else the stored words.
    private static func failure(of transfer: Transfer) -> String {
        switch transfer.failureReason {
        case .sourceChanged?: "the file changed after it was offered"
        case .sourceUnreadable?: "the file could not be read"
        case .peerCouldNotVerify?: "the receiver could not verify it"
        case .writeFailed?: "it could not be written"
        case .hashMismatch?: "the data did not match its SHA-256"
        case .finishFailed?: "it could not be saved"
        case .other?, nil: transfer.error ?? "unknown reason"
        }
    }
}
