import Foundation
import ParleyCore

/// Turns a conversation's messages into screen lines: a separator when the
/// day changes, then `HH:mm name │ text` with wrapped lines indented under
/// the text, and a delivery mark after own messages. Each line is tagged with
/// its message's UUID so a search hit can be found again. Calls and file transfers
/// appear among the messages at their time.
public struct ConversationFormatter: Sendable {
    public var ownName: String
    public var peerName: String
    /// The colour of the peer's name (`TextRole.peerName(for:)`).
    public var peerRole: TextRole = .peerName
    public var calendar: Calendar
    /// Message to draw highlighted (a search hit).
    public var highlighted: UUID?
    /// How times are shown (`time_format`).
    public var timeFormat: TimeFormat = .twentyFour
    /// The home folder, written `~` in the paths of received files.
    public var homeDirectory: String = NSHomeDirectory()

    public init(timeFormat: TimeFormat = .twentyFour, ownName: String, peerName: String, calendar: Calendar = .current,
                highlighted: UUID? = nil) {
        self.timeFormat = timeFormat
        self.ownName = ownName
        self.peerName = peerName
        self.calendar = calendar
        self.highlighted = highlighted
    }

    /// Longest name shown in full; longer ones are cut with `…`.
    static let maxNameColumns = 12
    /// A message that starts with this is an action (`/me waves`), shown as `* alice waves`.
    public static let actionPrefix = "/me "

    public func lines(for messages: [Message], width: Int) -> [StyledLine] {
        lines(for: messages, calls: [], width: width)
    }

    /// The messages with the calls and file transfers among them, in time order (a call at
    /// the time it started, a transfer at the time it was offered).
    public func lines(for messages: [Message], calls: [CallRecord], transfers: [Transfer] = [],
                      width: Int) -> [StyledLine] {
        let nameColumns = min(Self.maxNameColumns, max(ownName.displayWidth, peerName.displayWidth))
        let prefixColumns = timeFormat.width + 1 + nameColumns + 3  // "HH:mm name │ "
        let textWidth = max(8, width - prefixColumns)
        var lines: [StyledLine] = []
        var previousDay: DateComponents?
        func separate(at date: Date) {
            let day = calendar.dateComponents([.year, .month, .day], from: date)
            if day != previousDay {
                lines.append(daySeparator(for: date, width: width))
                previousDay = day
            }
        }
        func append(_ entry: TimelineEntry) {
            separate(at: entry.time)
            switch entry {
            case .call(let call): lines.append(callLine(call, nameColumns: nameColumns))
            case .transfer(let transfer): lines += transferLines(transfer, nameColumns: nameColumns, textWidth: textWidth)
            }
        }
        var pending = TimelineEntry.merged(calls: calls, transfers: transfers)[...]
        for message in messages {
            while let entry = pending.first, entry.time <= message.sentAt {
                append(entry)
                pending = pending.dropFirst()
            }
            separate(at: message.sentAt)
            lines += messageLines(message, nameColumns: nameColumns, textWidth: textWidth)
        }
        for entry in pending { append(entry) }
        return lines
    }

    /// `HH:mm    ☎ │ ↙ missed video call`: a call among the messages.
    func callLine(_ call: CallRecord, nameColumns: Int) -> StyledLine {
        let arrow = call.direction == .incoming ? "↙ " : "↗ "
        let role: TextRole = call.isMissed ? .warning : .dim
        return StyledLine([StyledSpan(timeFormat.string(call.startedAt, calendar: calendar), .dim), StyledSpan(" "),
                           StyledSpan(String(repeating: " ", count: max(0, nameColumns - 1)) + "☎", role),
                           StyledSpan(" │ ", .separator), StyledSpan(arrow + call.summary, role)],
                          tag: "call:" + call.id.uuidString)
    }

    func daySeparator(for date: Date, width: Int) -> StyledLine {
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEEE d MMMM yyyy"
        let label = " \(formatter.string(from: date)) "
        let side = max(2, (width - label.displayWidth) / 2)
        let right = max(2, width - side - label.displayWidth)
        return StyledLine([StyledSpan(String(repeating: "─", count: side) + label
                                          + String(repeating: "─", count: right), .separator)])
    }

    func messageLines(_ message: Message, nameColumns: Int, textWidth: Int) -> [StyledLine] {
        let own = message.direction == .outgoing
        let name = (own ? ownName : peerName).truncated(toColumns: nameColumns)
        let paddedName = String(repeating: " ", count: nameColumns - name.displayWidth) + name
        let time = timeFormat.string(message.sentAt, calendar: calendar)
        let isAction = message.body.hasPrefix(Self.actionPrefix) && message.body.count > Self.actionPrefix.count
        let textRole: TextRole = message.id == highlighted ? .highlight : (isAction ? .accent : own ? .ownMessage : .normal)
        let mark = own ? DeliveryMark.span(for: message.state) : nil
        let body = isAction ? "* " + (own ? ownName : peerName) + " " + message.body.dropFirst(Self.actionPrefix.count) : message.body
        // Wrap what will be drawn (control characters become one-column marks), not the raw text.
        var wrapped = TextWrapper.wrap(body.sanitizedForTerminal(keepingNewlines: true), width: textWidth)
        if let mark, let last = wrapped.last, last.displayWidth + 1 + mark.text.displayWidth > textWidth {
            wrapped.append("")  // the mark goes on a line of its own rather than past the edge
        }
        let tag = message.id.uuidString
        return wrapped.enumerated().map { index, text in
            var spans: [StyledSpan]
            if index == 0 {
                spans = [StyledSpan(time, .dim), StyledSpan(" "),
                         StyledSpan(paddedName, own ? .ownName : peerRole), StyledSpan(" │ ", .separator)]
            } else {
                spans = [StyledSpan(String(repeating: " ", count: timeFormat.width + 1 + nameColumns)), StyledSpan(" │ ", .separator)]
            }
            spans.append(StyledSpan(text, textRole))
            if index == wrapped.count - 1, let mark {
                spans.append(StyledSpan(text.isEmpty ? "" : " "))
                spans.append(mark)
            }
            return StyledLine(spans, tag: tag)
        }
    }

}
