import ParleyNode
import ParleyTerminalVideo

/// The UI's settings from the profile's config file.
struct UISettings: Sendable {
    var theme: Theme
    /// Ring the terminal bell for messages in other conversations (`bell = yes|no`).
    var bell: Bool
    /// How message times are shown (`time_format = 24h|24h-seconds|12h`).
    var timeFormat: TimeFormat
    /// How call video is drawn (`video_renderer = auto|kitty|sixel|blocks`).
    var videoRenderer: VideoRendererChoice
    /// Problems found in the config, shown once at start.
    var problems: [String]

    init(configuration: Configuration) {
        let configured = Theme.configured(by: configuration.values)
        theme = configured.theme
        problems = configured.problems
        let format = configuration.values["time_format"]
        timeFormat = format.flatMap { TimeFormat(rawValue: $0.lowercased()) } ?? .twentyFour
        if let format, TimeFormat(rawValue: format.lowercased()) == nil {
            problems.append("time_format = \(format): use 24h, 24h-seconds or 12h")
        }
        let renderer = configuration.values[VideoRendererChoice.configKey]
        videoRenderer = renderer.flatMap { VideoRendererChoice(rawValue: $0.lowercased()) } ?? .auto
        if let renderer, VideoRendererChoice(rawValue: renderer.lowercased()) == nil {
            problems.append("\(VideoRendererChoice.configKey) = \(renderer): use auto, kitty, sixel or blocks")
        }
        switch configuration.values["bell"]?.lowercased() {
        case nil, "yes", "on", "true", "1": bell = true
        case "no", "off", "false", "0": bell = false
        case let other?:
            bell = true
            problems.append("bell = \(other): use yes or no")
        }
    }
}
