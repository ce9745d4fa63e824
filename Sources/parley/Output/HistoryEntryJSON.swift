import Foundation
import ParleyCore
import ParleyNode

/// One entry of `parley history --json`: a message in its usual shape (no `type`), or a
/// call (`"type": "call"`, the fields of `parley call log --json`) or a file transfer
/// (`"type": "file"`, the fields of `parley file list --json` with `created_at` and `summary`).
enum HistoryEntryJSON: Encodable {
    case message(MessageJSON)
    case call(CallLogEntry)
    case file(TransferInfo, createdAt: Date, summary: String)

    private enum ExtraKeys: String, CodingKey {
        case type, summary
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .message(let message):
            try message.encode(to: encoder)
        case .call(let call):
            try call.encode(to: encoder)
            var container = encoder.container(keyedBy: ExtraKeys.self)
            try container.encode("call", forKey: .type)
        case .file(let transfer, let createdAt, let summary):
            try transfer.encode(to: encoder)
            var container = encoder.container(keyedBy: ExtraKeys.self)
            try container.encode("file", forKey: .type)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(summary, forKey: .summary)
        }
    }
}
