import Foundation
import ParleyCore

/// File transfers among the messages: `HH:mm    ⇅ │ ↙ photo.jpg, 310.0 KiB — saved to ~/…/photo.jpg`,
/// wrapped under its text like a message, showing the transfer's current state.
extension ConversationFormatter {
    /// The symbol in the name column of a transfer's first line.
    static let transferSymbol = "⇅"

    func transferLines(_ transfer: Transfer, nameColumns: Int, textWidth: Int) -> [StyledLine] {
        let incoming = transfer.direction == .incoming
        let savedTo = "saved to "
        var status = TransferSummary.status(of: transfer) { path in
            PathElision.fitting(HomePath.abbreviated(path, home: homeDirectory),
                                columns: max(8, textWidth - savedTo.displayWidth))
        }
        if incoming, transfer.state == .offered { status += " (F2 to accept)" }
        let text = (incoming ? "↙ " : "↗ ") + TransferSummary.title(of: transfer) + " — " + status
        let role: TextRole = switch transfer.state {
        case .failed, .cancelled, .rejected: .warning
        case .offered where incoming: .accent
        default: .dim
        }
        let symbolColumns = Self.transferSymbol.displayWidth
        let wrapped = TextWrapper.wrap(text.sanitizedForTerminal(keepingNewlines: false), width: textWidth)
        let tag = "file:" + transfer.id.uuidString
        return wrapped.enumerated().map { index, line in
            let lead: [StyledSpan] = index == 0
                ? [StyledSpan(timeFormat.string(transfer.createdAt, calendar: calendar), .dim), StyledSpan(" "),
                   StyledSpan(String(repeating: " ", count: max(0, nameColumns - symbolColumns)) + Self.transferSymbol, role)]
                : [StyledSpan(String(repeating: " ", count: timeFormat.width + 1 + nameColumns))]
            return StyledLine(lead + [StyledSpan(" │ ", .separator), StyledSpan(line, role)], tag: tag)
        }
    }
}
