/// A path cut in its middle to fit a number of columns, keeping its start and its last
/// components: `~/…/parley/photo.jpg`. A path whose last component alone does not fit is
/// left whole (the wrapping breaks it).
enum PathElision {
    static func fitting(_ path: String, columns: Int) -> String {
        guard path.displayWidth > columns else { return path }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard components.count > 2, let head = components.first, let last = components.last else { return path }
        var kept = [last]
        for component in components.dropFirst().dropLast().reversed() {
            let longer = [component] + kept
            guard (head + "/…/" + longer.joined(separator: "/")).displayWidth <= columns else { break }
            kept = longer
        }
        let shortened = head + "/…/" + kept.joined(separator: "/")
        if shortened.displayWidth <= columns { return shortened }
        let lastOnly = "…/" + last
        return lastOnly.displayWidth <= columns ? lastOnly : path  // too long either way: wrapped whole
    }
}
