import Foundation
import ParleyCore
import ParleyNode

/// Calls on the screen: starting and answering, the media toggles, the call bar's state,
/// the ringing, and what an ended call leaves behind (a notice, a missed-call count).
extension UIController {
    /// Asks the node for the call going on; the answer comes back through the inbox.
    func refreshCall() {
        callPolledAt = Date()
        let node = self.node, inbox = self.inbox
        Task { inbox.post(.call(await node.ongoingCall())) }
    }

    /// The node's answer to `refreshCall`.
    func apply(call status: CallStatus?) {
        if status?.id != call?.id { videoPane.reset() }
        if status?.state == "ringing-in", call?.state != "ringing-in" { ringBell(force: true) }
        if let status, ["connecting", "active"].contains(status.state), notice?.text.hasPrefix("calling ") == true {
            notice = nil  // "calling bob…" is over
        }
        call = status
        callFetchedAt = Date()
        needsRedraw = true
    }

    /// Seconds since the call's status was read (the bar's clock moves on meanwhile).
    var callStatusAge: TimeInterval { Date().timeIntervalSince(callFetchedAt) }

    var incomingCall: CallStatus? { call?.state == "ringing-in" ? call : nil }
    var outgoingRinging: Bool { call.map { ["calling", "ringing-out"].contains($0.state) } ?? false }
    /// Whether the screen shows a video pane: a video call that is connected.
    var showsVideo: Bool { call.map { $0.video && ["connecting", "active"].contains($0.state) } ?? false }

    /// F5 / `/call` and F6 / `/vcall`: calls the open contact.
    func startCall(video: Bool) throws {
        guard let contact = selectedContact else { throw UIError.noConversation }
        if let call { throw UIError.inCall(call.name) }
        let node = self.node, inbox = self.inbox, reference = contact.id.canonical, name = contact.name
        show("calling \(name)…", role: .dim)
        Task {
            do {
                let status = try await node.startCall(to: reference, video: video, devices: CallDevices(), timeoutSeconds: nil)
                inbox.post(.call(status.state == "ended" ? nil : status))
                if status.state == "ended" {
                    inbox.post(.notice(CallBar.endNotice(name: name, reason: status.reason, by: status.by, detail: status.detail,
                                                         duration: nil, missed: false), isError: false))
                }
            } catch {
                inbox.post(.notice("cannot call \(name): \(error)", isError: true))
            }
        }
    }

    /// `/invite WHO`: a contact joins the call going on (it rings there).
    func inviteIntoCall(_ who: String) throws {
        guard let call, ["connecting", "active"].contains(call.state) else { throw UIError.noCall }
        let node = self.node, inbox = self.inbox, id = call.id
        show("inviting \(who)…", role: .dim)
        Task {
            do {
                inbox.post(.call(try await node.inviteToCall(id, contact: who, timeoutSeconds: nil)))
            } catch {
                inbox.post(.notice("cannot invite \(who): \(error)", isError: true))
            }
        }
    }

    /// Alt-Y / Alt-A / `/answer`: takes the ringing call (`audioOnly`: without video).
    func answerCall(audioOnly: Bool) {
        guard let incoming = incomingCall else { return show("no call is ringing", role: .dim) }
        let node = self.node, inbox = self.inbox, id = incoming.id
        Task {
            do {
                inbox.post(.call(try await node.acceptCall(id, audioOnly: audioOnly, devices: CallDevices())))
            } catch {
                inbox.post(.notice("cannot answer: \(error)", isError: true))
            }
        }
    }

    /// Alt-N on a ringing call.
    func declineCall() {
        guard let incoming = incomingCall else { return }
        let node = self.node, inbox = self.inbox, id = incoming.id
        Task {
            _ = try? await node.rejectCall(id)
            inbox.post(.call(nil))
        }
    }

    /// F8 / `/hangup`, and Esc while our call rings: ends (or cancels) the call.
    func hangUpCall() throws {
        guard let call else { throw UIError.noCall }
        let node = self.node, inbox = self.inbox, id = call.id
        Task {
            do {
                _ = try await node.hangUp(id)
            } catch {
                inbox.post(.notice("cannot hang up: \(error)", isError: true))
            }
            inbox.post(.call(await node.ongoingCall()))
        }
    }

    /// `/mute`, `/camera`, `/deafen`, `/hide`: turns one of the four media states over.
    func toggleCallMedia(_ toggle: CallMediaToggle) throws {
        guard let call, ["connecting", "active"].contains(call.state) else { throw UIError.noCall }
        let states = call.local
        let isOn: Bool = switch toggle {
        case .microphone: states.audioOut
        case .camera: states.videoOut
        case .sound: states.audioIn
        case .video: states.videoIn
        }
        if (toggle == .camera || toggle == .video), !call.video { throw UIError.audioOnlyCall }
        let audio = toggle == .microphone || toggle == .sound, out = toggle == .microphone || toggle == .camera
        let node = self.node, inbox = self.inbox, id = call.id
        show("\(toggle.noun) \(isOn ? "off" : "on")", role: .dim)
        Task {
            do {
                inbox.post(.call(try await node.setCallMedia(id, audio: audio, video: !audio, out: out, in: !out, on: !isOn)))
            } catch {
                inbox.post(.notice("\(toggle.noun): \(error)", isError: true))
            }
        }
    }

    /// A node event about calls.
    func applyCallEvent(_ event: CallEvent) {
        let name = event.peer.name ?? self.name(of: event.peer.id)
        switch event.what {
        case .ended(let ended):
            if call == nil || call?.id == event.call.uuidString {
                // One peer of a group call left: the call goes on with the others.
                call = nil
                videoPane.reset()
                refreshCall()
            }
            show(CallBar.endNotice(name: name, reason: ended.cause.rawValue, by: ended.byPeer.map { $0 ? "peer" : "local" },
                                   detail: ended.detail, duration: ended.duration, missed: ended.missed),
                 role: ended.missed ? .warning : .dim)
            let peer = event.peer.id
            if ended.missed, !(selection == .contact(peer) && conversationVisible) { missedCalls[peer, default: 0] += 1 }
            if selection == .contact(peer) { reloadConversation(force: true) }
        case .rejected(let refusal, let detail):
            show(CallBar.endNotice(name: name, reason: refusal.rawValue, by: "peer", detail: detail, duration: nil, missed: false),
                 role: .dim)
            refreshCall()
        case .deviceError(_, _, let detail):
            show("call device: \(detail)", role: .error)
            refreshCall()
        case .broadcast(let live, let video):
            if live {
                broadcasters[event.peer.id] = name
                show("\(name) is broadcasting (\(video ? "video" : "audio")) — /watch \(name)", role: .warning)
            } else {
                broadcasters[event.peer.id] = nil
                show("\(name) stopped broadcasting", role: .dim)
            }
        case .incoming, .ringing, .accepted, .media, .statistics:
            refreshCall()
        }
    }

    /// While a call rings here: the bell every two seconds (when `bell` is on).
    func ringBell(force: Bool = false) {
        guard settings.bell else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastRingAt) >= 2 else { return }
        lastRingAt = now
        screen.bell()
    }

    /// Loop chores of a call: its status once a second, the bell while it rings.
    func callHousekeeping() {
        guard let call else { return }
        let now = Date()
        if now.timeIntervalSince(callPolledAt) >= 1 { refreshCall() }
        if call.state == "ringing-in" { ringBell() }
        if now.timeIntervalSince(lastCallBarTick) >= 1 {
            lastCallBarTick = now
            needsRedraw = true  // the duration and the ring count-down move on
        }
    }

    /// Whether the open conversation is on screen (no panel over it, the terminal big enough).
    var conversationVisible: Bool { panel == nil && lastLayout?.isTooSmall != true }
}

/// The four media states a person turns over during a call.
enum CallMediaToggle: Equatable {
    case microphone, camera, sound, video

    var noun: String {
        switch self {
        case .microphone: "microphone"
        case .camera: "camera"
        case .sound: "sound from the peer"
        case .video: "video from the peer"
        }
    }
}
