import Foundation
import Testing

extension DaemonProcess {
    /// `parley call status --json` (nil when there is no call).
    func callStatus(_ call: String? = nil) throws -> [String: Any]? {
        let result = try parley(contentsOf: ["call", "status"] + (call.map { [$0] } ?? []) + ["--json"])
        return result.status == 0 ? result.json as? [String: Any] : nil
    }

    /// The state of the current or last call (`ringing-in`, `active`, `ended`…), or nil.
    func callState() throws -> String? { try callStatus()?["state"] as? String }

    /// Waits until the current or last call is in `state`.
    func waitForCall(_ state: String, timeout: TimeInterval = 15) throws {
        try waitUntil(timeout: timeout, "\(home.url.lastPathComponent): call \(state)") { try callState() == state }
    }

    /// `parley call log --json`.
    func callLog(_ name: String? = nil) throws -> [[String: Any]] {
        try parley(contentsOf: ["call", "log"] + (name.map { [$0] } ?? []) + ["--json"]).json as? [[String: Any]] ?? []
    }

    @discardableResult
    func parley(contentsOf arguments: [String], input: String? = nil) throws -> CommandResult {
        try runParley(arguments + ["--home", home.path], input: input)
    }
}
