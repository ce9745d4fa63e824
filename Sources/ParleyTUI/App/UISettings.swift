import ParleyNode

/// The UI's settings from the profile's config file.
struct UISettings: Sendable {
    var theme: Theme
    /// Ring the terminal bell for messages in other conversations (`bell = yes|no`).
    var bell: Bool
    /// Problems found in the config, shown once at start.
    var problems: [String]

    init(configuration: Configuration) {
        let configured = Theme.configured(by: configuration.values)
        theme = configured.theme
        problems = configured.problems
        switch configuration.values["bell"]?.lowercased() {
        case nil, "yes", "on", "true", "1": bell = true
        case "no", "off", "false", "0": bell = false
        case let other?:
            bell = true
            problems.append("bell = \(other): use yes or no")
        }
    }
}
