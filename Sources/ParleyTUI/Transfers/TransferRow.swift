import ParleyCore

/// One line of the transfers panel: direction, peer, file, progress bar,
/// percentage, size, rate, time left and state. When the width is short, the
/// least useful parts go first (time left and rate, then the size, the bar,
/// and the peer's name shrinks), so the file's name and its state stay readable.
public enum TransferRow {
    public static func line(for transfer: Transfer, peerName: String, rate: Double?, width: Int) -> StyledLine {
        let arrow = transfer.direction == .outgoing ? "↑ " : "↓ "
        let fraction = transfer.size == 0 ? 1 : Double(transfer.bytesDone) / Double(transfer.size)
        let percent = " " + "\(TransferSummary.percentDone(transfer))%".padded(toColumns: 4)
        let stateRole: TextRole = switch transfer.state {
        case .completed: .success
        case .failed, .cancelled, .rejected: .error
        case .offered, .paused: .warning
        case .accepted, .active: .accent
        }
        var size = " " + TransferFormatting.size(Int64(transfer.size))
        var speed = ""
        if let rate, !transfer.state.isFinal {
            speed = "  " + TransferFormatting.rate(bytesPerSecond: rate) + "  "
                + TransferFormatting.eta(remainingBytes: Int64(transfer.size - min(transfer.size, transfer.bytesDone)), bytesPerSecond: rate)
        }
        let stateText = " " + transfer.state.rawValue + (transfer.error.map { " (\($0))" } ?? "")
        let name = transfer.fileName.sanitizedForTerminal()
        var peerColumns = 10
        var barWidth = max(8, min(22, width / 4))

        func nameColumns() -> Int {
            width - arrow.displayWidth - (peerColumns > 0 ? peerColumns + 1 : 0) - 1 - barWidth - percent.displayWidth
                - size.displayWidth - speed.displayWidth - stateText.displayWidth
        }
        // Make room for the whole name, least useful parts first, keeping at least 12 columns for it.
        let wanted = min(name.displayWidth, max(12, name.displayWidth))
        if nameColumns() < wanted { speed = "" }
        if nameColumns() < wanted { barWidth = max(0, barWidth - (wanted - nameColumns())) }
        if nameColumns() < wanted { size = "" }
        if nameColumns() < wanted { peerColumns = max(6, peerColumns - (wanted - nameColumns())) }
        if nameColumns() < min(wanted, 12) { peerColumns = 0 }
        let nameWidth = max(8, nameColumns())

        var spans = [StyledSpan(arrow, .accent)]
        if peerColumns > 0 {
            spans.append(StyledSpan(peerName.padded(toColumns: peerColumns) + " ", .peerName(for: transfer.contactID)))
        }
        spans.append(StyledSpan(name.padded(toColumns: nameWidth) + " "))
        if barWidth > 0 { spans.append(StyledSpan(TransferFormatting.bar(fraction: fraction, width: barWidth), stateRole)) }
        spans += [StyledSpan(percent + size + speed, .dim), StyledSpan(stateText, stateRole)]
        return StyledLine(spans)
    }
}
