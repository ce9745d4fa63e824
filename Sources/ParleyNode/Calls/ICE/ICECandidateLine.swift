import Foundation
import ParleyWire

/// ICE candidates as SDP attribute lines (RFC 5245 §15.1), the form libnice reads and writes:
/// `a=candidate:FOUNDATION 1 UDP PRIORITY ADDRESS PORT typ TYPE [raddr A rport P]`.
enum ICECandidateLine {
    /// The line for a peer's candidate (component 1, UDP).
    static func format(_ candidate: ICECandidate) -> String {
        "a=candidate:\(candidate.foundation) 1 UDP \(candidate.priority) \(candidate.host) \(candidate.port) typ \(candidate.kind)"
    }

    /// A local candidate from libnice's line; nil for anything but a valid UDP candidate of
    /// component 1 (the only one a call has).
    static func parse(_ line: String) -> ICECandidate? {
        var text = Substring(line.trimmingCharacters(in: .whitespacesAndNewlines))
        if text.hasPrefix("a=") { text = text.dropFirst(2) }
        guard text.hasPrefix("candidate:") else { return nil }
        let fields = text.dropFirst("candidate:".count).split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 8, fields[1] == "1", fields[2].uppercased() == "UDP", fields[6] == "typ",
              let priority = UInt32(fields[3]), priority > 0,
              let port = UInt16(fields[5]), port > 0,
              let kind = ICECandidate.Kind(sdpName: fields[7]) else { return nil }
        let foundation = String(fields[0]), host = String(fields[4])
        guard ICECandidate.isValidFoundation(foundation), ICECandidate.isNumericAddress(host) else { return nil }
        return ICECandidate(kind: kind, foundation: foundation, priority: priority, host: host, port: port)
    }
}
