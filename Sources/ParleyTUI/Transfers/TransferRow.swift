import ParleyCore

/// One line of the transfers panel: direction, peer, file, progress bar,
/// percentage, rate, time left and state.
public enum TransferRow {
    public static func line(for transfer: Transfer, peerName: String, rate: Double?, width: Int) -> StyledLine {
        let arrow = transfer.direction == .outgoing ? "↑" : "↓"
        let fraction = transfer.size == 0 ? 1 : Double(transfer.bytesDone) / Double(transfer.size)
        let percent = "\(Int((fraction * 100).rounded(.down)))%"
        let stateRole: TextRole = switch transfer.state {
        case .completed: .success
        case .failed, .cancelled, .rejected: .error
        case .offered, .paused: .warning
        case .accepted, .active: .accent
        }
        var tail = " \(percent.padded(toColumns: 4)) \(TransferFormatting.size(Int64(transfer.size)))"
        if let rate, !transfer.state.isFinal {
            tail += "  " + TransferFormatting.rate(bytesPerSecond: rate)
            tail += "  " + TransferFormatting.eta(remainingBytes: Int64(transfer.size - min(transfer.size, transfer.bytesDone)),
                                                  bytesPerSecond: rate)
        }
        let stateText = " " + transfer.state.rawValue + (transfer.error.map { " (\($0))" } ?? "")
        let barWidth = max(8, min(22, width / 4))
        let nameWidth = max(8, width - 2 - 12 - barWidth - tail.displayWidth - 12)
        return StyledLine([
            StyledSpan(arrow + " ", .accent),
            StyledSpan(peerName.padded(toColumns: 10) + " ", .peerName(for: transfer.contactID)),
            StyledSpan(transfer.fileName.sanitizedForTerminal().padded(toColumns: nameWidth) + " "),
            StyledSpan(TransferFormatting.bar(fraction: fraction, width: barWidth), stateRole),
            StyledSpan(tail, .dim),
            StyledSpan(stateText, stateRole),
        ])
    }
}
