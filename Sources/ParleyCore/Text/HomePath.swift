/// Paths as people read them: the home folder written `~`.
public enum HomePath {
    /// `/home/ann/Downloads/x` → `~/Downloads/x` when `home` is `/home/ann`; other paths unchanged.
    public static func abbreviated(_ path: String, home: String) -> String {
        var home = home
        while home.count > 1, home.hasSuffix("/") { home.removeLast() }
        guard home.count > 1 else { return path }
        if path == home { return "~" }
        guard path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }
}
