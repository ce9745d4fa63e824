import ParleyMedia

/// What a call uses when its command gives no option: the profile's config keys
/// `ring_timeout`, `audio_input`, `audio_output`, `video_input`, `video_output`,
/// `voice_processing`, with per-call overrides.
public struct CallDevices: Sendable, Equatable, Codable {
    public var audioInput: String?
    public var audioOutput: String?
    public var videoInput: String?
    public var videoOutput: String?

    public init(audioInput: String? = nil, audioOutput: String? = nil, videoInput: String? = nil, videoOutput: String? = nil) {
        self.audioInput = audioInput
        self.audioOutput = audioOutput
        self.videoInput = videoInput
        self.videoOutput = videoOutput
    }

    /// These devices, with each one `overrides` names instead.
    enum CodingKeys: String, CodingKey {
        case audioInput = "audio_in", audioOutput = "audio_out", videoInput = "video_in", videoOutput = "video_out"
    }

    /// "none" names no device (that kind is not captured, or not played).
    public static let none = "none"

    public func overridden(by overrides: CallDevices) -> CallDevices {
        func pick(_ override: String?, _ base: String?) -> String? {
            guard let override else { return base }
            return override == Self.none ? nil : override
        }
        return CallDevices(audioInput: pick(overrides.audioInput, audioInput), audioOutput: pick(overrides.audioOutput, audioOutput),
                           videoInput: pick(overrides.videoInput, videoInput), videoOutput: pick(overrides.videoOutput, videoOutput))
    }

    /// Checks the syntax of every device named (not whether it can be opened: a device that
    /// fails to open makes that kind receive-only, it never fails the call).
    public func validate() throws(CallError) {
        func named(_ device: String?) -> String? { device == Self.none ? nil : device }
        do {
            _ = try named(audioInput).map { try AudioSourceSpecifier(parsing: $0) }
            _ = try named(audioOutput).map { try AudioSinkSpecifier(parsing: $0) }
            _ = try named(videoInput).map { try VideoSourceSpecifier(parsing: $0) }
            _ = try named(videoOutput).map { try VideoSinkSpecifier(parsing: $0) }
        } catch {
            throw .badDevice("\(error)")
        }
    }
}

/// Echo cancellation and noise suppression.
public enum VoiceProcessingMode: String, Sendable, Equatable {
    /// On when input and output are both real ALSA devices.
    case auto
    case on
    case off
}

/// The call settings of a profile.
public struct CallSettings: Sendable, Equatable {
    public var ringTimeoutSeconds: Int = 30
    public var devices = CallDevices(audioInput: "alsa:default", audioOutput: "alsa:default")
    public var voiceProcessing: VoiceProcessingMode = .auto
    public var audioBitrate = 32_000
    public var videoBitrate = 800_000
    /// The buffer asked of each ALSA device (microphone and speaker), milliseconds: less is
    /// less delay, too little underruns on a busy machine.
    public var audioLatencyMilliseconds = ALSAPCM.defaultLatencyMilliseconds
    /// STUN and TURN servers for the calls' ICE agents.
    public var ice = ICEServers()

    public init() {}

    /// The config keys calls read.
    public static let keys: Set<String> = Set(["ring_timeout", "audio_input", "audio_output", "video_input", "video_output", "voice_processing",
                                           "audio_bitrate", "video_bitrate", "audio_latency"]).union(ICEServers.keys)
}

extension Configuration {
    /// The call settings (`ring_timeout` 1–600 s, default 30; devices; `voice_processing`).
    public func callSettings() throws(ConfigurationError) -> CallSettings {
        var settings = CallSettings()
        settings.ringTimeoutSeconds = try integer("ring_timeout", default: 30, in: 1 ... 600, unit: "seconds")
        settings.audioBitrate = try integer("audio_bitrate", default: 32, in: 16 ... 64, unit: "kb/s") * 1000
        settings.videoBitrate = try integer("video_bitrate", default: 800, in: 50 ... 20_000, unit: "kb/s") * 1000
        settings.audioLatencyMilliseconds = try integer("audio_latency", default: ALSAPCM.defaultLatencyMilliseconds,
                                                         in: ALSAPCM.latencyRange, unit: "ms")
        settings.ice = try ICEServers(values: values)
        for (key, path) in [("audio_input", \CallDevices.audioInput), ("audio_output", \.audioOutput),
                            ("video_input", \.videoInput), ("video_output", \.videoOutput)] {
            guard let value = values[key] else { continue }
            let device = value.isEmpty || value == CallDevices.none ? nil : value
            settings.devices[keyPath: path] = device
            var single = CallDevices()
            single[keyPath: path] = device
            do {
                try single.validate()
            } catch {
                throw .invalidValue(key: key, value: value, reason: error.description)
            }
        }
        if let text = values["voice_processing"] {
            guard let mode = VoiceProcessingMode(rawValue: text.lowercased()) else {
                throw .invalidValue(key: "voice_processing", value: text, reason: "use auto, on or off")
            }
            settings.voiceProcessing = mode
        }
        return settings
    }
}
