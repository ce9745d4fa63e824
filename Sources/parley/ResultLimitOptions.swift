import ArgumentParser

/// `--limit N`, shared by every command that lists results, with one range
/// and one error message everywhere.
struct ResultLimitOptions: ParsableArguments {
    /// The values `--limit` accepts.
    static let allowed = 1...1_000_000

    @Option(help: ArgumentHelp("How many results (1–1000000).", valueName: "N")) var limit = 50

    func validate() throws {
        guard Self.allowed.contains(limit) else {
            throw ValidationError(
                "--limit must be from \(Self.allowed.lowerBound) to \(Self.allowed.upperBound), not \(limit)")
        }
    }
}
