/// Turns a file name proposed by a peer into a safe base name for the
/// download folder: no directories, no `..`, no control characters, no
/// leading dots or marks (so never hidden, whatever combines with the dot),
/// at most a few combining marks on a character, not empty, at most 200
/// UTF-8 bytes (extension kept).
///
/// The rules work on Unicode scalars, the bytes the file system sees, not on
/// grapheme clusters: `.` followed by U+0301 is one character but still a
/// leading dot on disk.
public enum SafeFileName {
    /// The longest name produced, in UTF-8 bytes (room is left for " (n)" and ".part").
    public static let maximumBytes = 200
    /// Most combining marks kept on one character; more are dropped.
    public static let maximumMarksPerCharacter = 4

    public static func make(from proposed: String) -> String {
        // Only the last path component counts, whichever separator the peer used.
        let lastComponent = proposed.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var scalars: [Unicode.Scalar] = []
        var marksInARow = 0
        for scalar in lastComponent.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                scalars.append("_")
                marksInARow = 0
            case .nonspacingMark, .spacingMark, .enclosingMark:
                // A mark with nothing to sit on, or one too many, is dropped.
                marksInARow += 1
                if !scalars.isEmpty && marksInARow <= maximumMarksPerCharacter { scalars.append(scalar) }
            default:
                scalars.append(scalar)
                marksInARow = 0
            }
        }
        // No leading dots, spaces or marks left over from them: the name never starts hidden.
        while let first = scalars.first, first == "." || first.properties.isWhitespace || isMark(first) {
            scalars.removeFirst()
        }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        var name = String(String.UnicodeScalarView(scalars))
        if name.isEmpty { name = "file" }
        return shortened(name)
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
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
        // Cut by scalar, not by character: one character may be longer than the whole limit.
        var stemScalars = Array(stem.unicodeScalars)
        var length = stem.utf8.count + ext.utf8.count
        while length > maximumBytes, let last = stemScalars.popLast() { length -= String(last).utf8.count }
        stem = String(String.UnicodeScalarView(stemScalars))
        if stem.isEmpty { stem = "file" }
        return stem + ext
    }

    /// Splits `photo.tar.gz` into (`photo.tar`, `.gz`); no extension for `README`.
    static func split(_ name: String) -> (stem: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }
}
