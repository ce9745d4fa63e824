import ArgumentParser
import Foundation
import ParleyNode

/// `parley broadcast …`: one to many, through the running node.
struct BroadcastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast",
        abstract: "Broadcast your microphone and camera to contacts; watch a contact's broadcast.",
        discussion: """
            A broadcast is read and encoded once and sent to each viewer encrypted under a key of its own \
            (up to 20 viewers). The contacts named (or every contact with --all) are told; each watches with \
            'parley broadcast watch NAME' (or /watch in the terminal UI), receives only, and leaves with \
            'parley call hangup'. Devices use the syntax of 'parley stream'; without --audio / --video the \
            config keys audio_input and video_input apply ("none": leave that kind out).
            """,
        subcommands: [Start.self, Stop.self, Status.self, List.self, Watch.self],
        defaultSubcommand: Status.self)

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start broadcasting to the contacts named, or to every contact.")
        @OptionGroup var profileOptions: ProfileOptions
        @Option(name: .customLong("to"), parsing: .upToNextOption,
                help: ArgumentHelp("The contacts told of it and let in.", valueName: "NAME"),
                completion: CompletionCandidates.contacts)
        var to: [String] = []
        @Flag(help: "Every contact (those online now, and the others as they come online).") var all = false
        @Option(help: ArgumentHelp("Microphone (default: audio_input).", valueName: "SRC")) var audio: String?
        @Option(help: ArgumentHelp("Camera (default: video_input).", valueName: "SRC")) var video: String?
        @Option(help: ArgumentHelp("Also send plain RTP to a media server: audio to PORT, video to PORT + 2 (an even port).",
                                   valueName: "HOST:PORT"))
        var rtp: String?
        @Option(help: ArgumentHelp("Where the SDP of --rtp goes (default: broadcast.sdp in the profile's data folder).", valueName: "PATH"))
        var sdp: String?
        @Flag(help: "Print JSON.") var json = false

        var devices: CallDevices { CallDevices(audioInput: audio, videoInput: video) }

        func validate() throws {
            guard all != !to.isEmpty else { throw ValidationError("name the audience with --to NAME… or --all (one of them)") }
            do { try devices.validate() } catch { throw ValidationError(error.description) }
            if sdp != nil, rtp == nil { throw ValidationError("--sdp goes with --rtp") }
        }

        func run() async throws {
            var request = ControlRequest(command: "broadcast-start", path: sdp.map { URL(fileURLWithPath: $0).path },
                                         devices: devices, contacts: all ? nil : to, all: all)
            request.rtp = rtp
            let response = try profileOptions.controlClient().request(request)
            guard response.ok, let status = response.broadcast else { throw CommandFailure(response.error ?? "failed") }
            if json { try JSONOutput.print(status) } else { print(status.id) }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop broadcasting (every viewer's stream ends).")
        @OptionGroup var profileOptions: ProfileOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let status = try profileOptions.broadcastRequest(ControlRequest(command: "broadcast-stop"))
            if json { try JSONOutput.print(status) } else { print("Broadcast stopped; \(status.viewers.count) viewers in all.") }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Your broadcast, its viewers and their statistics.")
        @OptionGroup var profileOptions: ProfileOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let response = try profileOptions.controlClient().request(ControlRequest(command: "broadcast-status"))
            guard response.ok, let status = response.broadcast else {
                if !json, response.error == CallError.noSuchBroadcast(nil).description {
                    print("No broadcast. Start one with: parley broadcast start --to NAME… | --all")
                    return
                }
                throw CommandFailure(response.error ?? "failed")
            }
            if json { try JSONOutput.print(status) } else { print(BroadcastFormatting.describe(status)) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The contacts broadcasting to you now.")
        @OptionGroup var profileOptions: ProfileOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let response = try profileOptions.controlClient().request(ControlRequest(command: "broadcast-list"))
            guard response.ok else { throw CommandFailure(response.error ?? "failed") }
            let offers = response.broadcasts ?? []
            if json { return try JSONOutput.print(offers) }
            guard !offers.isEmpty else { return print("Nobody is broadcasting to you.") }
            var table = TextTable("WHO", "MEDIA", "SINCE", "ID")
            for offer in offers {
                table.add(offer.name, offer.video ? "audio+video" : "audio", Formatting.timestamp(offer.since), String(offer.id.prefix(8)))
            }
            print(table.rendered)
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Watch a contact's broadcast (receive only); 'parley call hangup' leaves.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "The contact broadcasting.", completion: CompletionCandidates.contacts) var contact: String
        @Option(name: .customLong("audio-out"), help: ArgumentHelp("Speaker (default: audio_output).", valueName: "SINK")) var audioOut: String?
        @Option(name: .customLong("video-out"), help: ArgumentHelp("Where the video goes (default: video_output).", valueName: "SINK"))
        var videoOut: String?
        @Flag(help: "Print JSON.") var json = false

        var devices: CallDevices { CallDevices(audioOutput: audioOut, videoOutput: videoOut) }

        func validate() throws {
            do { try devices.validate() } catch { throw ValidationError(error.description) }
        }

        func run() async throws {
            let status = try profileOptions.callRequest(ControlRequest(command: "broadcast-watch", contact: contact, devices: devices))
            if json { try JSONOutput.print(status) } else { print(status.id) }
        }
    }
}

extension ProfileOptions {
    func broadcastRequest(_ request: ControlRequest) throws -> BroadcastStatus {
        let response = try controlClient().request(request)
        guard response.ok, let broadcast = response.broadcast else { throw CommandFailure(response.error ?? "failed") }
        return broadcast
    }
}

/// The words of `parley broadcast status`.
enum BroadcastFormatting {
    static func describe(_ status: BroadcastStatus) -> String {
        let kinds = [status.audio ? "audio" : nil, status.video ? "video" : nil].compactMap { $0 }.joined(separator: " and ")
        var lines = ["broadcast (\(kinds)): \(status.state), since \(Formatting.timestamp(status.startedAt))",
                     "id: \(status.id)",
                     "audience: \(status.audience.map { $0.joined(separator: ", ") } ?? "every contact")",
                     "watching: \(status.watching)"]
        if let rtp = status.rtp { lines.append("plain RTP to \(rtp) (SDP: \(status.sdp ?? "-"))") }
        if let sent = status.sent {
            for (name, stream) in [("audio sent", sent.audioSent), ("video sent", sent.videoSent)] {
                guard let stream else { continue }
                var parts = ["\(stream.codec)", "\(stream.bitrate / 1000) kb/s"]
                if let width = stream.width, let height = stream.height { parts.append("\(width)x\(height)") }
                lines.append("\(name): " + parts.joined(separator: ", "))
            }
        }
        if !status.viewers.isEmpty {
            var table = TextTable("VIEWER", "STATE", "PATH", "PACKETS", "LOSS", "RTT", "KEYFRAMES")
            for viewer in status.viewers {
                let video = viewer.statistics?.videoSent, audio = viewer.statistics?.audioSent
                let packets = (video?.packets ?? 0) + (audio?.packets ?? 0)
                let loss = (video?.lossFraction ?? audio?.lossFraction).map { String(format: "%.1f %%", $0 * 100) } ?? "-"
                let rtt = (video?.roundTripMilliseconds ?? audio?.roundTripMilliseconds).map { "\(Int($0)) ms" } ?? "-"
                table.add(viewer.name, viewer.state + (viewer.reason.map { " (\($0))" } ?? ""), viewer.mediaPath ?? "-", "\(packets)", loss, rtt,
                          "\(video?.keyframeRequests ?? 0)")
            }
            lines.append(table.rendered)
        }
        return lines.joined(separator: "\n")
    }
}
