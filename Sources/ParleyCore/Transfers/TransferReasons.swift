/// Why a transfer is paused. It decides who may resume it: the side that paused it, or,
/// after a full disk, the receiver once there is space again.
public enum TransferPauseReason: String, Sendable, Codable, CaseIterable {
    /// The sender paused it: not re-offered on new links, and only the sender resumes it.
    case bySender = "by-sender"
    /// The receiver paused it: only the receiver resumes it (with a new FILE_ACCEPT).
    case byReceiver = "by-receiver"
    /// The receiver's disk filled up: what was written is kept, the receiver resumes it.
    case diskFull = "disk-full"
}

/// Why a transfer failed for good.
public enum TransferFailureReason: String, Sendable, Codable, CaseIterable {
    /// Sender: the file changed after it was offered.
    case sourceChanged = "source-changed"
    /// Sender: the file is gone, became shorter or cannot be read.
    case sourceUnreadable = "source-unreadable"
    /// Sender: the receiver could not verify what it received.
    case peerCouldNotVerify = "peer-could-not-verify"
    /// Receiver: the part file could not be written (or the peer's bytes did not fit it).
    case writeFailed = "write-failed"
    /// Receiver: the bytes received do not match the offered SHA-256.
    case hashMismatch = "hash-mismatch"
    /// Receiver: the verified file could not be flushed or moved to its final name.
    case finishFailed = "finish-failed"
    /// Failed before reasons were recorded, for a reason not told apart here.
    case other
}

/// Why the transfer machine refuses a request of the user.
public enum TransferRefusal: Error, Sendable, Equatable {
    /// The transfer is not in a state the request applies to; `wanted` names the states it needs.
    case wrongState(wanted: String)
    /// Only the receiving side can do this.
    case notIncoming
    /// The receiver paused the transfer; only the receiver can resume it.
    case pausedByPeer
    /// The event does not apply now (a peer, link or local event): nothing happens.
    case notApplicable
}
