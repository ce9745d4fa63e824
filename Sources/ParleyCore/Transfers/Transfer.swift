import Foundation

/// Where a file transfer is in its life.
///
/// Receiver: offered → accepted → active → completed (or failed / rejected / cancelled);
/// paused is entered on request or when the disk is full. Sender: offered → active → completed.
/// ``TransferMachine`` holds the rules; ``Transfer/pauseReason`` and ``Transfer/failureReason``
/// say why a transfer is paused or failed.
public enum TransferState: String, Sendable, Codable, CaseIterable {
    case offered, accepted, active, paused, completed, failed, rejected, cancelled

    /// Whether the transfer is over for good.
    public var isFinal: Bool { [.completed, .failed, .rejected, .cancelled].contains(self) }
}

/// A file transfer in either direction, as stored.
public struct Transfer: Hashable, Sendable {
    public var id: UUID
    public var contactID: ContactID
    public var direction: MessageDirection
    /// The sender's proposed name (outgoing: what we offer; incoming: already made safe).
    public var fileName: String
    /// Outgoing: the file being sent. Incoming: the final path once accepted.
    public var localPath: String?
    /// Incoming: where bytes land until verified.
    public var partPath: String?
    public var size: UInt64
    /// Lower-case hex SHA-256 of the whole file.
    public var sha256: String
    public var mimeType: String?
    /// Bytes confirmed: durable at the receiver (incoming) or acknowledged (outgoing).
    public var bytesDone: UInt64
    /// Bytes put on the wire so far, resends included (outgoing).
    public var bytesSent: UInt64
    public var state: TransferState
    /// Why it is paused (only while `paused`): decides who may resume it.
    public var pauseReason: TransferPauseReason?
    /// Why it failed (only while `failed`).
    public var failureReason: TransferFailureReason?
    /// What went wrong or why it is paused, in words for people (never used for decisions).
    public var error: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Outgoing: the file as it was when offered (``FileSignature``); a change fails the transfer.
    public var sourceSignature: String?

    public init(id: UUID = UUID(), contactID: ContactID, direction: MessageDirection, fileName: String,
                localPath: String?, partPath: String? = nil, size: UInt64, sha256: String, mimeType: String? = nil,
                bytesDone: UInt64 = 0, bytesSent: UInt64 = 0, state: TransferState,
                pauseReason: TransferPauseReason? = nil, failureReason: TransferFailureReason? = nil, error: String? = nil,
                createdAt: Date = Date(), updatedAt: Date = Date(), sourceSignature: String? = nil) {
        self.sourceSignature = sourceSignature
        self.id = id
        self.contactID = contactID
        self.direction = direction
        self.fileName = fileName
        self.localPath = localPath
        self.partPath = partPath
        self.size = size
        self.sha256 = sha256
        self.mimeType = mimeType
        self.bytesDone = bytesDone
        self.bytesSent = bytesSent
        self.state = state
        self.pauseReason = pauseReason
        self.failureReason = failureReason
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
