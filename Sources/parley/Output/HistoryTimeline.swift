import Foundation
import ParleyCore

/// A page of a conversation as `parley history` prints it: the messages in their stored order
/// with the calls (at the time they started) and file transfers (at the time they were
/// offered) among them, as the terminal UI shows them.
enum HistoryTimeline {
    enum Entry {
        case message(Message)
        case call(CallRecord)
        case file(Transfer)

        /// A message (not a call or a file).
        var isMessage: Bool {
            if case .message = self { return true }
            return false
        }

        var time: Date {
            switch self {
            case .message(let message): message.sentAt
            case .call(let call): call.startedAt
            case .file(let transfer): transfer.createdAt
            }
        }
    }

    static func merge(messages: [Message], calls: [CallRecord], transfers: [Transfer]) -> [Entry] {
        let others = (calls.map(Entry.call) + transfers.map(Entry.file)).enumerated()
            .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        var pending = others[...]
        var entries: [Entry] = []
        entries.reserveCapacity(messages.count + others.count)
        for message in messages {
            while let entry = pending.first, entry.time <= message.sentAt {
                entries.append(entry)
                pending = pending.dropFirst()
            }
            entries.append(.message(message))
        }
        return entries + pending
    }
}
