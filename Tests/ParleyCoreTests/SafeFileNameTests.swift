import Foundation
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

    /// Hostile-input defect 17: names that only look safe grapheme by grapheme.
    @Test(arguments: [".\u{301}hidden", "\u{301}.hidden", ". \u{301}.x", "\u{200B}.hidden", ".\u{20DD}"])
    func neverHiddenWhateverCombinesWithTheDot(proposed: String) {
        let name = SafeFileName.make(from: proposed)
        #expect(name.unicodeScalars.first != ".", "\(Array(name.unicodeScalars))")
        #expect(!name.isEmpty)
    }

    @Test func manyCombiningMarksNeitherEmptyNorLong() {
        let name = SafeFileName.make(from: "a" + String(repeating: "\u{301}", count: 300))
        #expect(!name.isEmpty)
        #expect(name.utf8.count <= SafeFileName.maximumBytes)
        #expect(name.unicodeScalars.count <= 1 + SafeFileName.maximumMarksPerCharacter)
        let long = SafeFileName.make(from: String(repeating: "a" + String(repeating: "\u{301}", count: 4), count: 100) + ".txt")
        #expect(long.utf8.count <= SafeFileName.maximumBytes)
        #expect(long.hasSuffix(".txt"))
    }
}

@Suite("Timestamps")
struct TimestampTests {
    /// Hostile-input defect 1: converting any wire time never traps.
    @Test(arguments: [UInt64.max, UInt64(Int64.max), 1 << 63, 0, 253_402_300_799_999])
    func anyWireTimeConvertsWithoutTrapping(wire: UInt64) {
        let date = Date(wireTimestamp: wire)
        _ = date.millisecondsSince1970
        _ = date.wireTimestamp
    }

    @Test func extremesClamp() {
        #expect(Int64(clampingMilliseconds: .nan) == 0)
        #expect(Int64(clampingMilliseconds: .infinity) == .max)
        #expect(Int64(clampingMilliseconds: -.infinity) == .min)
        #expect(Int64(clampingMilliseconds: 1e300) == .max)
        #expect(Int64(clampingMilliseconds: 1234.4) == 1234)
    }
}
