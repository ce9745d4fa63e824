import Foundation

/// How the conversation shows a message's time (`time_format = 24h|24h-seconds|12h`).
public enum TimeFormat: String, Sendable, CaseIterable {
    /// 15:07
    case twentyFour = "24h"
    /// 15:07:42
    case twentyFourSeconds = "24h-seconds"
    /// " 3:07pm"
    case twelve = "12h"

    /// Columns the time takes (the conversation's text lines up after it).
    public var width: Int {
        switch self {
        case .twentyFour: 5
        case .twentyFourSeconds: 8
        case .twelve: 7
        }
    }

    public func string(_ date: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0, second = parts.second ?? 0
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch self {
        case .twentyFour: return "\(two(hour)):\(two(minute))"
        case .twentyFourSeconds: return "\(two(hour)):\(two(minute)):\(two(second))"
        case .twelve:
            let text = "\(hour % 12 == 0 ? 12 : hour % 12):\(two(minute))\(hour < 12 ? "am" : "pm")"
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
    }
}
