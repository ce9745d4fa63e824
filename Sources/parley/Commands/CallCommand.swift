import ArgumentParser
import Foundation
import ParleyNode

/// `parley call …`: audio and video calls through the running node.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a contact; answer, decline or hang up; stop and resume media; see the call's state and the call log.",
        discussion: """
            Calls need the node running (parley daemon, or the terminal UI) and the contact online. \
            CALL is a call ID or its first characters; without it the current call is meant. \
            Devices use the syntax of 'parley stream': alsa:DEVICE, wav:PATH, wav-loop:PATH, \
            v4l2:/dev/videoN, y4m:PATH, pattern; without options the config keys audio_input, \
            audio_output, video_input and video_output apply. A device that cannot be opened \
            never fails the call: that kind becomes receive-only and a device-error event says why.
            """,
        subcommands: [Start.self, Invite.self, Accept.self, Reject.self, Hangup.self, Stop.self, Play.self, Status.self, Log.self],
        defaultSubcommand: Status.self)

    struct DeviceOptions: ParsableArguments {
        @Option(name: .customLong("audio-in"), help: ArgumentHelp("Microphone for this call.", valueName: "SRC")) var audioIn: String?
        @Option(name: .customLong("audio-out"), help: ArgumentHelp("Speaker for this call.", valueName: "SINK")) var audioOut: String?
        @Option(name: .customLong("video-in"), help: ArgumentHelp("Camera for this call.", valueName: "SRC")) var videoIn: String?
        @Option(name: .customLong("video-out"), help: ArgumentHelp("Where received video goes.", valueName: "SINK")) var videoOut: String?

        var devices: CallDevices {
            CallDevices(audioInput: audioIn, audioOutput: audioOut, videoInput: videoIn, videoOutput: videoOut)
        }

        func validate() throws {
            do {
                try devices.validate()
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call a contact, or several (a group call of up to 6); prints the call ID once it rings.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contacts' names or IDs (1 to 5).", completion: CompletionCandidates.contacts) var contacts: [String]
        @Flag(help: "Video and audio (default: audio only).") var video = false
        @OptionGroup var deviceOptions: DeviceOptions
        @Option(help: ArgumentHelp("Seconds to ring before giving up (1-600; default: ring_timeout, 30).", valueName: "S"))
        var timeout: Int?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let timeout, !(1 ... 600).contains(timeout) { throw ValidationError("--timeout must be 1 to 600 seconds") }
            guard (1 ... CallManagerLimits.maxContactsPerCall).contains(contacts.count) else {
                throw ValidationError("name 1 to \(CallManagerLimits.maxContactsPerCall) contacts (a call has at most 6 participants)")
            }
        }

        func run() async throws {
            let call = try profileOptions.callRequest(ControlRequest(
                command: "call-start", contact: contacts[0], video: video, devices: deviceOptions.devices, timeout: timeout,
                contacts: contacts.count > 1 ? contacts : nil))
            if json { try JSONOutput.print(call) } else { print(call.id) }
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite a contact into the call going on (a group call of up to 6).",
            discussion: "The contact rings; once it answers, it connects to every other participant that has it as a contact.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: ArgumentHelp("[CALL] NAME: the call (default: the current one) and the contact's name or ID.",
                                     valueName: "call-or-name"))
        var arguments: [String]
        @Option(help: ArgumentHelp("Seconds to ring before giving up (1-600; default: ring_timeout, 30).", valueName: "S"))
        var timeout: Int?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (1 ... 2).contains(arguments.count) else { throw ValidationError("usage: parley call invite [CALL] NAME") }
            if let timeout, !(1 ... 600).contains(timeout) { throw ValidationError("--timeout must be 1 to 600 seconds") }
        }

        func run() async throws {
            let call = arguments.count == 2 ? arguments[0] : nil
            let status = try profileOptions.callRequest(ControlRequest(
                command: "call-invite", contact: arguments[arguments.count - 1], call: call, timeout: timeout))
            if json { try JSONOutput.print(status) } else { print("Invited \(arguments[arguments.count - 1]) into call \(status.id).") }
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer the ringing call.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The call (default: the current one).") var call: String?
        @Flag(name: .customLong("audio-only"), help: "Answer a video call with audio only.") var audioOnly = false
        @OptionGroup var deviceOptions: DeviceOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let status = try profileOptions.callRequest(ControlRequest(
                command: "call-accept", call: call, audioOnly: audioOnly, devices: deviceOptions.devices))
            if json { try JSONOutput.print(status) } else { print("Answered \(status.name) (\(status.video ? "video" : "audio")).") }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decline the ringing call.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The call (default: the current one).") var call: String?

        func run() async throws {
            let status = try profileOptions.callRequest(ControlRequest(command: "call-reject", call: call))
            print("Declined the call from \(status.name).")
        }
    }

    struct Hangup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End the call (or stop calling while it rings).")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The call (default: the current one).") var call: String?

        func run() async throws {
            let status = try profileOptions.callRequest(ControlRequest(command: "call-hangup", call: call))
            print("Call with \(status.name) ended\(status.duration.map { " after \(Formatting.duration($0))" } ?? "").")
        }
    }

    /// What `stop` and `play` share: kinds and directions.
    struct MediaSelection: ParsableArguments {
        @Argument(help: "The call (default: the current one).") var call: String?
        @Flag(help: "Audio (with --video: both; neither: both).") var audio = false
        @Flag(help: "Video.") var video = false
        @Flag(name: .customLong("in"), help: "What we receive (stop: the peer is asked to stop sending it).") var incoming = false
        @Flag(name: .customLong("out"), help: "What we send (the default).") var outgoing = false
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop sending (--out, default) or receiving (--in) audio and/or video.",
            discussion: "Examples: 'parley call stop --audio' mutes the microphone; 'parley call stop --video --in' stops the peer's video.")
        @OptionGroup var profileOptions: ProfileOptions
        @OptionGroup var selection: MediaSelection

        func run() async throws {
            try profileOptions.changeMedia(selection, on: false)
        }
    }

    struct Play: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume sending (--out, default) or receiving (--in) audio and/or video.")
        @OptionGroup var profileOptions: ProfileOptions
        @OptionGroup var selection: MediaSelection

        func run() async throws {
            try profileOptions.changeMedia(selection, on: true)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The call's state, media and live statistics.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The call (default: the current or last one).") var call: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let response = try profileOptions.controlClient().request(ControlRequest(command: "call-status", call: call))
            guard response.ok, let status = response.call else {
                if !json, call == nil, response.error == CallError.noSuchCall(nil).description {
                    print("No call. Call a contact with: parley call start NAME [--video]")
                    return
                }
                throw CommandFailure(response.error ?? "failed")
            }
            if json {
                try JSONOutput.print(status)
                return
            }
            print(CallFormatting.describe(status))
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Calls made and received, newest first.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "Only calls with this contact.", completion: CompletionCandidates.contacts) var contact: String?
        @OptionGroup var limitOptions: ResultLimitOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let profile = try profileOptions.open()
            let contact = try contact.map { try profile.database.contacts.resolve($0) }
            let names = Dictionary(try profile.database.contacts.all().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let entries = try profile.database.calls.recent(with: contact?.id, limit: limitOptions.limit).map {
                CallLogEntry($0, name: names[$0.contactID] ?? $0.contactID.short)
            }
            if json {
                try JSONOutput.print(entries)
                return
            }
            guard !entries.isEmpty else {
                print("No calls yet.")
                return
            }
            var table = TextTable("WHEN", "DIR", "WITH", "CALL", "ID")
            for entry in entries {
                table.add(Formatting.timestamp(entry.startedAt), entry.direction, entry.name,
                          entry.summary + (entry.missed ? " *" : ""), String(entry.id.prefix(8)))
            }
            print(table.rendered)
        }
    }
}

/// The words of `parley call status`.
enum CallFormatting {
    static func describe(_ status: CallStatus) -> String {
        var lines: [String] = []
        let kind = status.video ? "video call" : "call"
        let toward = status.direction == "out" ? "to" : "from"
        lines.append("\(kind) \(toward) \(status.name): \(status.state)"
                     + (status.reason.map { " (\($0)\(status.by.map { " by \($0)" } ?? ""))" } ?? "")
                     + (status.duration.map { ", \(Formatting.duration($0))" } ?? "")
                     + (status.ringRemaining.map { ", \(Int($0)) s before it stops ringing" } ?? ""))
        lines.append("id: \(status.id)")
        func states(_ s: CallMediaStates) -> String {
            "microphone \(s.audioOut ? "on" : "off"), camera \(s.videoOut ? "on" : "off"), "
                + "sound in \(s.audioIn ? "on" : "off"), video in \(s.videoIn ? "on" : "off")"
        }
        lines.append("you:  \(states(status.local))")
        lines.append("peer: \(states(status.remote))")
        if let path = status.mediaPath {
            let pair = status.remoteAddress.map { remote in " (\(status.localAddress ?? "?") ↔ \(remote))" } ?? ""
            lines.append("media path: \(path)\(pair)")
        }
        for error in status.iceErrors ?? [] { lines.append("ice: \(error)") }
        for error in status.deviceErrors { lines.append("device: \(error)") }
        if let statistics = status.statistics {
            for (name, stream) in [("audio sent", statistics.audioSent), ("video sent", statistics.videoSent),
                                   ("audio received", statistics.audioReceived), ("video received", statistics.videoReceived)] {
                guard let stream else { continue }
                var parts = ["\(stream.codec)", "\(stream.bitrate / 1000) kb/s", "\(stream.packets) packets"]
                if let lost = stream.lost { parts.append("lost \(lost)") }
                if let rtt = stream.roundTripMilliseconds { parts.append("rtt \(Int(rtt)) ms") }
                if let jitter = stream.jitterMilliseconds { parts.append("jitter \(String(format: "%.1f", jitter)) ms") }
                if let buffer = stream.jitterBufferMilliseconds { parts.append("buffer \(Int(buffer)) ms") }
                if let fps = stream.framesPerSecond { parts.append("\(Int(fps)) fps") }
                if let width = stream.width, let height = stream.height { parts.append("\(width)x\(height)") }
                lines.append("\(name): " + parts.joined(separator: ", "))
            }
            if let lead = statistics.videoLeadMilliseconds { lines.append("lip sync: video leads by \(Int(lead)) ms") }
        }
        if let participants = status.participants, participants.count > 1 {
            lines.append("participants:")
            for participant in participants {
                var parts = [participant.state]
                if let reason = participant.reason { parts.append(reason) }
                if let path = participant.mediaPath { parts.append("via \(path)") }
                if let audio = participant.statistics?.audioReceived { parts.append("audio \(audio.bitrate / 1000) kb/s") }
                if let video = participant.statistics?.videoReceived {
                    parts.append("video \(video.bitrate / 1000) kb/s\(video.framesPerSecond.map { " \(Int($0)) fps" } ?? "")")
                }
                lines.append("  \(participant.name): " + parts.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension ProfileOptions {
    func callRequest(_ request: ControlRequest) throws -> CallStatus {
        let response = try controlClient().request(request)
        guard response.ok, let call = response.call else { throw CommandFailure(response.error ?? "failed") }
        return call
    }

    func changeMedia(_ selection: CallCommand.MediaSelection, on: Bool) throws {
        let status = try callRequest(ControlRequest(
            command: "call-media", call: selection.call, video: selection.video, audio: selection.audio,
            directionIn: selection.incoming, directionOut: selection.outgoing, on: on))
        print("you:  microphone \(status.local.audioOut ? "on" : "off"), camera \(status.local.videoOut ? "on" : "off"), "
              + "sound in \(status.local.audioIn ? "on" : "off"), video in \(status.local.videoIn ? "on" : "off")")
    }
}
