import Foundation
import NIOCore

/// Carries out control-socket requests on a node.
struct ControlHandler: Sendable {
    let node: Node

    enum Outcome { case answered, streamEnded }

    func handle(_ line: String, replies: NIOAsyncChannelOutboundWriter<String>) async throws -> Outcome {
        let request: ControlRequest
        do {
            request = try ControlCoding.decode(ControlRequest.self, from: line)
        } catch {
            try await replies.write(ControlCoding.encode(ControlResponse(ok: false, error: "the request is not valid JSON: \(error)")))
            return .answered
        }
        if request.command == "events" {
            let stream = node.events.subscribe()
            try await replies.write(ControlCoding.encode(ControlResponse(ok: true)))
            for await published in stream {
                try await replies.write(ControlCoding.encode(EventLine(published)))
            }
            return .streamEnded
        }
        if request.command == "call-video" {
            // The call's pictures, for a terminal UI attached from another process: each new
            // frame of the peer and of our camera, scaled down, checked about 25 times a second.
            try await replies.write(ControlCoding.encode(ControlResponse(ok: true)))
            let feed = node.calls.videoFeed
            var seen: (remote: UInt64, local: UInt64) = (0, 0)
            while !Task.isCancelled {
                if let (frame, generation) = feed.remote.latest(after: seen.remote) {
                    seen.remote = generation
                    try await replies.write(ControlCoding.encode(VideoFrameLine(which: "remote", frame: frame)))
                }
                if let (frame, generation) = feed.local.latest(after: seen.local) {
                    seen.local = generation
                    try await replies.write(ControlCoding.encode(VideoFrameLine(which: "local", frame: frame)))
                }
                try await Task.sleep(for: .milliseconds(40))
            }
            return .streamEnded
        }
        let response: ControlResponse
        do {
            response = try await answer(request)
        } catch {
            response = .failure(error)
        }
        try await replies.write(ControlCoding.encode(response))
        return .answered
    }

    private func answer(_ request: ControlRequest) async throws -> ControlResponse {
        switch request.command {
        case "status":
            return ControlResponse(ok: true, status: try await node.status())
        case "send":
            let contact = try required(request.contact, "contact")
            if let texts = request.texts {
                let messages = try await node.send(texts, to: contact)
                return ControlResponse(ok: true, messages: messages.map(SentMessage.init), count: messages.count)
            }
            let message = try await node.send([try required(request.text, "text")], to: contact)[0]
            return ControlResponse(ok: true, message: SentMessage(message))
        case "read":
            return ControlResponse(ok: true, count: try await node.markRead(try required(request.contact, "contact")))
        case "typing":
            try await node.typing(request.active ?? true, to: try required(request.contact, "contact"))
            return ControlResponse(ok: true)
        case "file-send":
            let transfer = try await node.offerFile(path: try required(request.path, "path"),
                                                    to: try required(request.contact, "contact"), as: request.name)
            return ControlResponse(ok: true, transfer: node.info(transfer))
        case "file-list":
            return ControlResponse(ok: true, transfers: try node.transferList().map(node.info))
        case "file-accept":
            let transfer = try await node.acceptTransfer(try required(request.transfer, "transfer"),
                                                         into: request.directory)
            return ControlResponse(ok: true, transfer: node.info(transfer))
        case "file-reject", "file-cancel", "file-pause", "file-resume":
            let id = try required(request.transfer, "transfer")
            let transfer = switch request.command {
            case "file-reject": try await node.rejectTransfer(id)
            case "file-cancel": try await node.cancelTransfer(id)
            case "file-pause": try await node.pauseTransfer(id)
            default: try await node.resumeTransfer(id)
            }
            return ControlResponse(ok: true, transfer: node.info(transfer))
        case "call-start":
            let contacts = try request.contacts ?? [required(request.contact, "contact")]
            guard (1 ... CallManagerLimits.maxContactsPerCall).contains(contacts.count) else {
                throw CallError.wrongState("call 1 to \(CallManagerLimits.maxContactsPerCall) contacts")
            }
            return ControlResponse(ok: true, call: try await node.startCall(
                to: contacts, video: request.video ?? false,
                devices: request.devices ?? CallDevices(), timeoutSeconds: request.timeout))
        case "call-invite":
            return ControlResponse(ok: true, call: try await node.inviteToCall(
                request.call, contact: try required(request.contact, "contact"), timeoutSeconds: request.timeout))
        case "call-accept":
            return ControlResponse(ok: true, call: try await node.acceptCall(
                request.call, audioOnly: request.audioOnly ?? false, devices: request.devices ?? CallDevices()))
        case "call-reject":
            return ControlResponse(ok: true, call: try await node.rejectCall(request.call))
        case "call-hangup":
            return ControlResponse(ok: true, call: try await node.hangUp(request.call))
        case "call-media":
            let audio = request.audio ?? false, video = request.video ?? false
            let out = request.directionOut ?? false, into = request.directionIn ?? false
            return ControlResponse(ok: true, call: try await node.setCallMedia(
                request.call, audio: audio || !video, video: video || !audio, out: out || !into, in: into,
                on: try requiredBool(request.on, "on")))
        case "call-status":
            return ControlResponse(ok: true, call: try await node.callStatus(request.call))
        case "call-log":
            return ControlResponse(ok: true, calls: try node.callLog(with: request.contact, limit: request.limit ?? 50))
        case "auto-answer":
            let contact = try required(request.contact, "contact")
            if let text = request.mode {
                guard let mode = AutoAnswer(rawValue: text) else {
                    throw CallError.wrongState("auto-answer is off, audio or video (not \(text))")
                }
                try node.setAutoAnswer(mode, for: contact)
            }
            return ControlResponse(ok: true, mode: try node.autoAnswer(for: contact).rawValue)
        case "broadcast-start":
            var response = ControlResponse(ok: true)
            response.broadcast = try await node.startBroadcast(to: request.all == true ? nil : request.contacts ?? [],
                                                               devices: request.devices ?? CallDevices(), rtp: request.rtp, sdp: request.path)
            return response
        case "broadcast-stop":
            var response = ControlResponse(ok: true)
            response.broadcast = try await node.stopBroadcast()
            return response
        case "broadcast-status":
            var response = ControlResponse(ok: true)
            response.broadcast = try await node.broadcastStatus()
            return response
        case "broadcast-list":
            var response = ControlResponse(ok: true)
            response.broadcasts = await node.broadcastOffers()
            return response
        case "broadcast-watch":
            return ControlResponse(ok: true, call: try await node.watchBroadcast(of: try required(request.contact, "contact"),
                                                                                devices: request.devices ?? CallDevices()))
        case "contacts-changed":
            await node.contactsChanged()
            return ControlResponse(ok: true)
        default:
            throw NodeError.unknownCommand(request.command)
        }
    }

    private func requiredBool(_ value: Bool?, _ name: String) throws -> Bool {
        guard let value else { throw NodeError.missingArgument(name) }
        return value
    }

    private func required(_ value: String?, _ name: String) throws -> String {
        guard let value else { throw NodeError.missingArgument(name) }
        return value
    }
}
