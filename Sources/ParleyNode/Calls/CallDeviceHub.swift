import Foundation
import ParleyMedia
import ParleyWire

/// The devices of one call, shared by its legs: the microphone and the camera are opened
/// once, at the first leg's media, and every leg reads a branch of them; every leg's
/// received audio is mixed onto the one speaker (or file). A device that cannot be opened is
/// reported to every leg that asks for it (each then sends that kind to nobody).
final class CallDeviceHub: @unchecked Sendable {
    let devices: CallDevices
    private let latencyMilliseconds: Int
    private let frameRate: Int
    private let videoFeed: CallVideoFeed
    private let lock = NSLock()

    private enum Opened<Value> {
        case notYet
        case open(Value)
        /// Not configured (nil) or failed (the message).
        case unavailable(String?)
    }

    private var microphone: Opened<SharedAudioSource> = .notYet
    private var speaker: Opened<AudioMixer> = .notYet
    private var camera: Opened<SharedVideoSource> = .notYet
    /// Whether the configured video output went to a leg already.
    private var screenTaken = false
    private var finished = false

    init(devices: CallDevices, settings: CallSettings, frameRate: Int, videoFeed: CallVideoFeed) {
        self.devices = devices
        latencyMilliseconds = settings.audioLatencyMilliseconds
        self.frameRate = frameRate
        self.videoFeed = videoFeed
    }

    /// What a device that cannot be used says, with the role it plays.
    struct Failure: Error {
        let message: String
    }

    /// A branch of the call's microphone; nil when none is configured, or the failure.
    func audioSource() -> Result<AudioSourceBranch?, Failure> {
        lock.withLock {
            if case .notYet = microphone {
                microphone = open(devices.audioInput, "microphone") {
                    SharedAudioSource(try AudioSourceSpecifier(parsing: $0).open(latencyMilliseconds: latencyMilliseconds))
                }
            }
            return result(microphone) { $0.branch() }
        }
    }

    /// An input of the call's speaker mix for one peer (its loudness shows who speaks).
    func audioSink(for peer: String, name: String) -> Result<AudioMixerInput?, Failure> {
        let result = lock.withLock {
            if case .notYet = speaker {
                speaker = open(devices.audioOutput, "speaker") {
                    AudioMixer(sink: try AudioSinkSpecifier(parsing: $0).open(latencyMilliseconds: latencyMilliseconds))
                }
            }
            return self.result(speaker) { $0.input() }
        }
        if case .success(let input?) = result {
            nonisolated(unsafe) let input = input
            videoFeed.setLoudness(contact: peer, name: name) { input.loudness }
        }
        return result
    }

    /// A branch of the call's camera (its frames also go to the self-view).
    func videoSource() -> Result<VideoSourceBranch?, Failure> {
        lock.withLock {
            if case .notYet = camera {
                let feed = videoFeed
                camera = open(devices.videoInput, "camera") {
                    SharedVideoSource(TappedVideoSource(try VideoSourceSpecifier(parsing: $0).open(frameRate: frameRate), tap: feed.local))
                }
            }
            return result(camera) { $0.branch() }
        }
    }

    /// Where one leg's received video goes: the first leg gets the configured output and the
    /// viewer in this process; a later one (a group call) a file of its own beside a Y4M
    /// output (`seen.y4m` → `seen-NAME.y4m`), or only its statistics.
    func videoSink(for peer: String, name peerName: String) -> Result<any VideoSink, Failure> {
        lock.withLock {
            let first = !screenTaken
            screenTaken = true
            let tap = first ? videoFeed.remote : VideoFrameTap()
            videoFeed.addTile(contact: peer, name: peerName, tap: tap)
            var spec = devices.videoOutput
            if !first, let output = spec {
                spec = (try? VideoSinkSpecifier(parsing: output)).flatMap { parsed -> String? in
                    guard case .y4m(let path) = parsed else { return nil }
                    return "y4m:" + Self.path(path, for: peerName)
                }
            }
            do {
                let sink = try spec.map { try VideoSinkSpecifier(parsing: $0).open(frameRate: frameRate) }
                return .success(TappedVideoSink(sink, tap: tap))
            } catch {
                return .failure(Failure(message: "video output \(spec ?? "") cannot be used: \(error)"))
            }
        }
    }

    /// Plays out and closes the speaker (completes a WAV file); the call is over.
    func finish() throws {
        let mixer: AudioMixer? = lock.withLock {
            guard !finished else { return nil }
            finished = true
            if case .open(let mixer) = speaker { return mixer }
            return nil
        }
        try mixer?.finish()
    }

    /// `PATH.y4m` → `PATH-NAME.y4m`, the name reduced to letters, digits, `-` and `_`.
    static func path(_ path: String, for peerName: String) -> String {
        let name = String(peerName.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
            .map(Character.init).prefix(40))
        let suffix = name.isEmpty ? "peer" : name
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let base = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        return ext.isEmpty ? "\(base)-\(suffix)" : "\(base)-\(suffix).\(ext)"
    }

    private func open<Value>(_ spec: String?, _ what: String, _ make: (String) throws -> Value) -> Opened<Value> {
        guard let spec else { return .unavailable(nil) }
        do {
            return .open(try make(spec))
        } catch {
            return .unavailable("\(what) \(spec) cannot be used: \(error)")
        }
    }

    private func result<Value, Branch>(_ opened: Opened<Value>, _ branch: (Value) -> Branch) -> Result<Branch?, Failure> {
        switch opened {
        case .open(let value): .success(branch(value))
        case .unavailable(nil), .notYet: .success(nil)
        case .unavailable(let message?): .failure(Failure(message: message))
        }
    }
}
