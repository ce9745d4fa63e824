import ParleyCore
import Testing

@Suite("Safe file names")
struct SafeFileNameTests {
    @Test(arguments: [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a/b", "b"),
        ("..", "file"),
        ("/", "file"),
        ("", "file"),
        ("...hidden", "hidden"),
        ("C:\\Users\\x\\evil.exe", "evil.exe"),
        ("line\nbreak.txt", "line_break.txt"),
        ("tab\there", "tab_here"),
        ("  spaced.txt  ", "spaced.txt"),
        ("日本語.txt", "日本語.txt"),
    ])
    func reducesToASafeBaseName(proposed: String, expected: String) {
        #expect(SafeFileName.make(from: proposed) == expected)
    }

    @Test func longNamesAreShortenedKeepingTheExtension() {
        let name = SafeFileName.make(from: String(repeating: "x", count: 300) + ".tar.gz")
        #expect(name.utf8.count <= SafeFileName.maximumBytes)
        #expect(name.hasSuffix(".gz"))
        let emoji = SafeFileName.make(from: String(repeating: "👍", count: 100))
        #expect(emoji.utf8.count <= SafeFileName.maximumBytes)
        #expect(emoji.allSatisfy { $0 == "👍" })
    }

    @Test func numberingGoesBeforeTheExtension() {
        #expect(SafeFileName.numbered("photo.jpg", 2) == "photo (2).jpg")
        #expect(SafeFileName.numbered("README", 1) == "README (1)")
    }
}
