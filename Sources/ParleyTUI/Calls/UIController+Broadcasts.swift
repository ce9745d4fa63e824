import ParleyCore
import ParleyNode

/// Broadcasts from the terminal UI: `/broadcast`, `/broadcast stop`, `/watch`.
extension UIController {
    /// `/broadcast [WHO…]`: our camera and microphone to the contacts named (none: every contact).
    func startBroadcast(to who: [String]) {
        let node = self.node, inbox = self.inbox
        show("starting a broadcast…", role: .dim)
        Task {
            do {
                let status = try await node.startBroadcast(to: who.isEmpty ? nil : who, devices: CallDevices())
                let kinds = [status.audio ? "audio" : nil, status.video ? "video" : nil].compactMap { $0 }.joined(separator: " and ")
                let audience = status.audience.map { $0.joined(separator: ", ") } ?? "every contact"
                inbox.post(.notice("broadcasting \(kinds) to \(audience) — /broadcast stop ends it", isError: false))
            } catch {
                inbox.post(.notice("cannot broadcast: \(error)", isError: true))
            }
        }
    }

    /// `/broadcast stop`.
    func stopBroadcast() {
        let node = self.node, inbox = self.inbox
        Task {
            do {
                let status = try await node.stopBroadcast()
                inbox.post(.notice("broadcast stopped (\(status.viewers.count) viewers in all)", isError: false))
            } catch {
                inbox.post(.notice("\(error)", isError: true))
            }
        }
    }

    /// `/watch [WHO]`: the contact named, else the open contact if it broadcasts, else the
    /// only contact broadcasting.
    func watchBroadcast(_ who: String?) throws {
        if let call { throw UIError.inCall(call.name) }
        let reference: String
        if let who {
            reference = who
        } else if let contact = selectedContact, broadcasters[contact.id] != nil {
            reference = contact.id.canonical
        } else if broadcasters.count == 1, let only = broadcasters.first {
            reference = only.key.canonical
        } else {
            return show(broadcasters.isEmpty ? "nobody is broadcasting to you" : "watch whom? /watch " + broadcasters.values.sorted().joined(separator: " | "),
                        role: .dim)
        }
        let node = self.node, inbox = self.inbox
        Task {
            do {
                inbox.post(.call(try await node.watchBroadcast(of: reference, devices: CallDevices())))
            } catch {
                inbox.post(.notice("cannot watch: \(error)", isError: true))
            }
        }
    }
}
