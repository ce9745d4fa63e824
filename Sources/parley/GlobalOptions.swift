/// `--home DIR` and `--profile NAME` are accepted before the subcommand too (as `git -C`):
/// `parley --home DIR id` is read as `parley id --home DIR`.
enum GlobalOptions {
    static let names: Set<String> = ["--home", "--profile"]

    /// The arguments with the profile options found before the subcommand moved to the end
    /// (before a `--`, if any), where every subcommand takes them.
    static func reordered(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if names.contains(argument), index + 1 < arguments.count {
                moved += [argument, arguments[index + 1]]
                index += 2
            } else if let equals = argument.firstIndex(of: "="), names.contains(String(argument[..<equals])) {
                moved.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !moved.isEmpty else { return arguments }
        var rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.count
        rest.insert(contentsOf: moved, at: end)
        return rest
    }
}
