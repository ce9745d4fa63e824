import Foundation
import ParleyNode

/// Every figure of a call, for the statistics panel (F7, `/stats`).
public enum CallStatsLines {
    public static func lines(for call: CallStatus, age: TimeInterval = 0) -> [StyledLine] {
        func row(_ label: String, _ value: String, _ role: TextRole = .normal) -> StyledLine {
            StyledLine([StyledSpan(label.padding(toLength: 16, withPad: " ", startingAt: 0), .dim), StyledSpan(value, role)])
        }
        func onOff(_ value: Bool) -> String { value ? "on" : "off" }
        func sides(_ states: CallMediaStates) -> String {
            var parts = ["microphone \(onOff(states.audioOut))", "sound in \(onOff(states.audioIn))"]
            if call.video { parts.insert("camera \(onOff(states.videoOut))", at: 1); parts.append("video in \(onOff(states.videoIn))") }
            return parts.joined(separator: " · ")
        }
        var lines = [
            row("Call", "\(call.video ? "video" : "audio") call with \(call.name), \(call.direction), \(call.state)"),
            row("Duration", CallBar.clock((call.duration ?? 0) + (call.state == "active" ? age : 0))),
            row("You", sides(call.local)),
            row(call.name, sides(call.remote)),
            row("Media path", [call.mediaPath, call.remoteAddress].compactMap { $0 }.joined(separator: " · ").nonEmpty ?? "not yet"),
        ]
        if let participants = call.participants, participants.count > 1 {
            // A group call: one line per peer; the figures below are the first live peer's.
            for participant in participants {
                var parts = [participant.state]
                if let reason = participant.reason { parts.append(reason) }
                if let path = participant.mediaPath { parts.append(path) }
                if let via = participant.via { parts.append("through \(via)") }
                if !participant.remote.audioOut { parts.append("muted") }
                if let audio = participant.statistics?.audioReceived { parts.append("audio \(CallBar.rate(audio.bitrate))") }
                if let video = participant.statistics?.videoReceived {
                    parts.append("video \(CallBar.rate(video.bitrate))" + (video.framesPerSecond.map { String(format: " %.0f fps", $0) } ?? ""))
                }
                lines.append(row("  " + participant.name, parts.joined(separator: " · ")))
            }
            lines.append(row("Figures", "below: \(call.name)'s", .dim))
        }
        if let keys = call.keys {
            lines.append(row("SRTP keys", keys.sorted { $0.key > $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " · ")))
        }
        for error in call.deviceErrors { lines.append(row("Device", error, .warning)) }
        guard let statistics = call.statistics else {
            lines.append(row("Statistics", "none yet", .dim))
            return lines
        }
        let streams: [(String, CallStatistics.Stream?)] = [
            ("Audio sent", statistics.audioSent), ("Audio received", statistics.audioReceived),
            ("Video sent", statistics.videoSent), ("Video received", statistics.videoReceived),
        ]
        for (label, stream) in streams {
            guard let stream else { continue }
            lines.append(StyledLine())
            lines.append(StyledLine([StyledSpan(label, .accent)]))
            lines.append(row("  codec", "\(stream.codec) · \(CallBar.rate(stream.bitrate)) · \(stream.packets) packets"))
            var quality: [String] = []
            if let lost = stream.lost { quality.append("\(lost) lost") }
            if let loss = stream.lossFraction { quality.append("loss \(CallBar.percent(loss))") }
            if let jitter = stream.jitterMilliseconds { quality.append(String(format: "jitter %.1f ms", jitter)) }
            if let rtt = stream.roundTripMilliseconds { quality.append(String(format: "rtt %.0f ms", rtt)) }
            if !quality.isEmpty { lines.append(row("  network", quality.joined(separator: " · "))) }
            var playout: [String] = []
            if let buffer = stream.jitterBufferMilliseconds { playout.append(String(format: "jitter buffer %.0f ms", buffer)) }
            if let concealed = stream.framesConcealed { playout.append("\(concealed) concealed") }
            if let recovered = stream.framesRecovered { playout.append("\(recovered) recovered") }
            if let inserted = stream.framesInserted, inserted > 0 { playout.append("\(inserted) inserted") }
            if let errors = stream.decoderErrors { playout.append("\(errors) decoder errors") }
            if let rejected = stream.rejected { playout.append("\(rejected) rejected") }
            if !playout.isEmpty { lines.append(row("  playout", playout.joined(separator: " · "))) }
            var picture: [String] = []
            if let width = stream.width, let height = stream.height { picture.append("\(width)x\(height)") }
            if let fps = stream.framesPerSecond { picture.append(String(format: "%.1f fps", fps)) }
            if let requests = stream.keyframeRequests { picture.append("\(requests) keyframe requests") }
            if !picture.isEmpty { lines.append(row("  picture", picture.joined(separator: " · "))) }
        }
        lines.append(StyledLine())
        if let lead = statistics.videoLeadMilliseconds { lines.append(row("Lip sync", String(format: "video leads by %.0f ms", lead))) }
        if let rejected = statistics.datagramsRejected, let dropped = statistics.datagramsDropped {
            lines.append(row("Datagrams", "\(rejected) rejected · \(dropped) dropped"))
        }
        return lines
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
