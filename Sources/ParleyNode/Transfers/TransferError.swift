import ParleyCore

/// Why a file-transfer operation cannot be done.
public enum TransferError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotRead(String, String)
    case notAFile(String)
    case cannotWrite(String, String)
    case diskFull(String)
    case wrongState(String, state: String, wanted: String)
    case notIncoming(String)
    case checksumMismatch(String)
    case tooLarge(size: UInt64, limit: UInt64)
    case pausedByPeer(String)
    case sourceChanged(String)
    case nameTooLong(String, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .cannotRead(let path, let detail): "cannot read \(path) (\(detail))"
        case .notAFile(let path): "\(path) is not a regular file"
        case .cannotWrite(let path, let detail): "cannot write \(path) (\(detail)); check the folder's permissions"
        case .diskFull(let path):
            "the disk is full while writing \(path); what was received is kept — free some space, then run 'parley file resume'"
        case .wrongState(let id, let state, let wanted): "transfer \(id) is \(state); this needs it to be \(wanted)"
        case .notIncoming(let id): "transfer \(id) is one you send; only the receiver can do that"
        case .checksumMismatch(let path):
            "the received data does not match the offered SHA-256; the part file \(path) is kept for inspection"
        case .sourceChanged(let path):
            "\(path) changed after it was offered; send it again to offer the new version"
        case .nameTooLong(let name, let bytes, let limit):
            "the file name '\(name.prefix(40))…' is \(bytes) bytes long, over the limit of \(limit); choose a shorter one with --name"
        case .pausedByPeer(let id): "the receiver paused transfer \(id); only they can resume it"
        case .tooLarge(let size, let limit): "the file is \(size) bytes, more than the \(limit) bytes allowed from this contact"
        }
    }
}

extension TransferError {
    /// The error for a request the transfer machine refused.
    init(_ refusal: TransferRefusal, _ transfer: Transfer) {
        let id = transfer.id.uuidString
        switch refusal {
        case .wrongState(let wanted): self = .wrongState(id, state: transfer.state.rawValue, wanted: wanted)
        case .notIncoming: self = .notIncoming(id)
        case .pausedByPeer: self = .pausedByPeer(id)
        case .notApplicable: self = .wrongState(id, state: transfer.state.rawValue, wanted: "in another state")
        }
    }
}
