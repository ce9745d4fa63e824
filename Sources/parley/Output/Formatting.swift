import Foundation
import ParleyCore

/// Human-readable times for tables and history.
enum Formatting {
    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "never" }
        return timestampFormatter.string(from: date)
    }

    /// Made once, not per printed line (history prints thousands).
    private static let timestampFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }()

    /// 192 → "3 min 12 s".
    static func duration(_ seconds: Double) -> String { CallRecord.format(seconds) }

    /// 1536 → "1.5 KiB".
    static func bytes(_ count: UInt64) -> String { ByteCount.readable(count) }
}
