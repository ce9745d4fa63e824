import Foundation
import ParleyCore
import ParleyNode

/// The call bar's words for a call's status: who, how long, each side's media states,
/// the media path and compact live statistics, or how to answer a call that rings.
public enum CallBar {
    /// The bar for `call`, its status read `age` seconds ago (durations and the ring count
    /// down move on between two reads), for a bar `width` columns wide: what does not fit
    /// goes, least useful first (the figures, then the path, then the side labels).
    public static func view(for call: CallStatus, age: TimeInterval = 0, width: Int = 200) -> BarView {
        let kind = call.video ? "video call" : "call"
        switch call.state {
        case "ringing-in":
            return BarView(left: [StyledSpan(" ☎ \(call.name) is calling you (\(kind)) ", .warning),
                                  StyledSpan(" Alt-Y answer · Alt-A audio only · Alt-N decline", .accent)],
                           role: .callBar)
        case "calling", "ringing-out":
            let left = call.ringRemaining.map { max(0, Int(($0 - age).rounded())) }
            let ringing = call.state == "ringing-out" ? "ringing at" : "calling"
            return BarView(left: [StyledSpan(" ☎ \(ringing) \(call.name)… "),
                                  StyledSpan(left.map { "\($0) s left " } ?? "", .dim),
                                  StyledSpan("(Esc cancels)", .accent)],
                           role: .callBar)
        case "connecting":
            return BarView(left: [StyledSpan(" ☎ \(call.name): connecting… "), StyledSpan("(F8 hangs up)", .accent)],
                           role: .callBar)
        default:
            let duration = clock((call.duration ?? 0) + age)
            let right = [StyledSpan("F8 hang up ", .callBar)]
            let available = width - right.reduce(0) { $0 + $1.text.displayWidth } - 1
            func bar(labels: Bool, path: Bool, figures: String?) -> [StyledSpan] {
                var left = [StyledSpan(" ☎ \(title(of: call)) \(duration) · \(labels ? "you: " : "")", .callBar)]
                left += states(call.local, video: call.video)
                left.append(StyledSpan(labels ? " · \(call.name): " : " │ \(call.name): ", .callBar))
                left += states(call.remote, video: call.video)
                if path, let mediaPath = call.mediaPath { left.append(StyledSpan(" · \(mediaPath)", .callBar)) }
                if let figures { left.append(StyledSpan(" · " + figures, .callBar)) }
                return left
            }
            let figures = compactStatistics(call.statistics)
            let rates = figures?.split(separator: " ").prefix(2).joined(separator: " ")
            let candidates = [bar(labels: true, path: true, figures: figures), bar(labels: false, path: true, figures: figures),
                              bar(labels: false, path: false, figures: figures), bar(labels: false, path: true, figures: rates),
                              bar(labels: false, path: false, figures: rates), bar(labels: false, path: true, figures: nil),
                              bar(labels: false, path: false, figures: nil)]
            let left = candidates.first { $0.reduce(0) { $0 + $1.text.displayWidth } <= available } ?? candidates[candidates.count - 1]
            return BarView(left: left, right: right, role: .callBar)
        }
    }

    /// Who the call is with: the peer, or in a group call the first peer and how many more
    /// ("bob +2").
    static func title(of call: CallStatus) -> String {
        let others = call.liveParticipants.count - 1
        return others > 0 ? "\(call.name) +\(others)" : call.name
    }

    /// "mic cam snd vid", each off one crossed out with ✗.
    static func states(_ states: CallMediaStates, video: Bool) -> [StyledSpan] {
        var items = [("mic", states.audioOut), ("snd", states.audioIn)]
        if video { items.insert(("cam", states.videoOut), at: 1); items.append(("vid", states.videoIn)) }
        return items.enumerated().map { index, item in
            StyledSpan((index == 0 ? "" : " ") + item.0 + (item.1 ? "" : "✗"), item.1 ? .callBar : .callBarOff)
        }
    }

    /// "↓812k ↑790k loss 1.2% rtt 14ms jb 40ms", from what is known.
    static func compactStatistics(_ statistics: CallStatistics?) -> String? {
        guard let statistics else { return nil }
        var parts: [String] = []
        let received = [statistics.audioReceived, statistics.videoReceived].compactMap { $0 }
        let sent = [statistics.audioSent, statistics.videoSent].compactMap { $0 }
        if !received.isEmpty || !sent.isEmpty {
            parts.append("↓\(shortRate(received.reduce(0) { $0 + $1.bitrate })) ↑\(shortRate(sent.reduce(0) { $0 + $1.bitrate }))")
        }
        if let loss = received.compactMap(\.lossFraction).max() { parts.append(String(format: "loss %.1f%%", loss * 100)) }
        if let rtt = sent.compactMap(\.roundTripMilliseconds).max() { parts.append("rtt \(Int(rtt.rounded()))ms") }
        if let buffer = statistics.audioReceived?.jitterBufferMilliseconds { parts.append("jb \(Int(buffer.rounded()))ms") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// "0:07", "12:34", "1:02:03".
    static func clock(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.isFinite ? min(max(0, seconds), 1e9) : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return total >= 3600 ? "\(total / 3600):\(two(total % 3600 / 60)):\(two(total % 60))" : "\(total / 60):\(two(total % 60))"
    }

    /// "812 kb/s", "1.2 Mb/s".
    static func rate(_ bitsPerSecond: Int) -> String {
        bitsPerSecond >= 1_000_000 ? String(format: "%.1f Mb/s", Double(bitsPerSecond) / 1_000_000)
                                   : "\(bitsPerSecond / 1000) kb/s"
    }

    /// "812k", "1.2M".
    static func shortRate(_ bitsPerSecond: Int) -> String {
        bitsPerSecond >= 1_000_000 ? String(format: "%.1fM", Double(bitsPerSecond) / 1_000_000) : "\(bitsPerSecond / 1000)k"
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }

    /// How an ended call is said in the notice line: "bob is busy", "bob did not answer"…
    public static func endNotice(name: String, reason: String?, by: String?, detail: String?, duration: Double?,
                                 missed: Bool) -> String {
        let length = duration.map { " (\(CallRecord.format($0)))" } ?? ""
        switch reason {
        case "hung-up": return by == "peer" ? "\(name) hung up\(length)" : "call with \(name) ended\(length)"
        case "declined": return by == "peer" ? "\(name) declined the call" : "you declined \(name)'s call"
        case "busy": return "\(name) is busy (in another call)"
        case "unavailable": return "\(name) cannot take calls now"
        case "no-answer": return missed ? "missed call from \(name)" : "\(name) did not answer"
        case "cancelled": return missed ? "missed call from \(name)" : "call to \(name) cancelled"
        case "connection-lost": return "the connection to \(name) was lost\(length)"
        case "failed": return "the call with \(name) failed: \(detail ?? "unknown reason")"
        default: return "call with \(name) ended\(length)"
        }
    }
}
