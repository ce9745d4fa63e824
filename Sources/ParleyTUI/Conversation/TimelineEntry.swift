import Foundation
import ParleyCore

/// Something shown among a conversation's messages, at its time: a call (when it started)
/// or a file transfer (when it was offered).
enum TimelineEntry {
    case call(CallRecord)
    case transfer(Transfer)

    var time: Date {
        switch self {
        case .call(let call): call.startedAt
        case .transfer(let transfer): transfer.createdAt
        }
    }

    /// Calls and transfers in one list, oldest first (a call before a transfer of the same moment).
    static func merged(calls: [CallRecord], transfers: [Transfer]) -> [TimelineEntry] {
        let entries = calls.map(TimelineEntry.call) + transfers.map(TimelineEntry.transfer)
        return entries.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }
}
