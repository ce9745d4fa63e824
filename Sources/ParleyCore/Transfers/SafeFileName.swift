/// Turns a file name proposed by a peer into a safe base name for the
/// download folder: no directories, no `..`, no control characters, no
/// leading dots, not empty, at most 200 UTF-8 bytes (extension kept).
public enum SafeFileName {
    /// The longest name produced, in UTF-8 bytes (room is left for " (n)" and ".part").
    public static let maximumBytes = 200

    public static func make(from proposed: String) -> String {
        // Only the last path component counts, whichever separator the peer used.
        let lastComponent = proposed.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var name = String(String.UnicodeScalarView(lastComponent.unicodeScalars.map { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                "_"
            default:
                scalar
            }
        }))
        name = name.trimmingWhitespace()
        while name.hasPrefix(".") { name.removeFirst() }
        name = name.trimmingWhitespace()
        if name.isEmpty { name = "file" }
        return shortened(name)
    }

    /// `name` with " (n)" before its extension, for the n-th clash.
    public static func numbered(_ name: String, _ n: Int) -> String {
        let (stem, ext) = split(name)
        return "\(stem) (\(n))\(ext)"
    }

    static func shortened(_ name: String) -> String {
        guard name.utf8.count > maximumBytes else { return name }
        var (stem, ext) = split(name)
        if ext.utf8.count > 20 { ext = "" }
        while stem.utf8.count + ext.utf8.count > maximumBytes { stem.removeLast() }
        return stem + ext
    }

    /// Splits `photo.tar.gz` into (`photo.tar`, `.gz`); no extension for `README`.
    static func split(_ name: String) -> (stem: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }
}
