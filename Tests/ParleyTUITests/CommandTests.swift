import Testing
@testable import ParleyTUI

@Suite("Command parsing")
struct CommandParserTests {
    @Test func plainTextIsAMessage() {
        #expect(CommandParser.parse("hello 日本") == .message("hello 日本"))
        #expect(CommandParser.parse("   ") == .empty)
        #expect(CommandParser.parse("//shrug") == .message("/shrug"))
    }

    @Test func addTakesAnIDANameAndAnOptionalAddress() {
        let id = "2ZNJ-CGS4-N1KG-XP47-0HZB-ZXTZ-04V6-KWEX-WMPW"
        #expect(CommandParser.parse("/add \(id) \"Bob Smith\"") == .command(.add(id: id, name: "Bob Smith", address: nil)))
        #expect(CommandParser.parse("/add \(id) 'Bob Smith' bob.example.org")
                == .command(.add(id: id, name: "Bob Smith", address: "bob.example.org")))
        #expect(CommandParser.parse("/add \(id) dave 127.0.0.1") == .command(.add(id: id, name: "dave", address: "127.0.0.1")))
        #expect(CommandParser.parse("/add \(id) Bob Smith") == .invalid("a name with spaces goes in quotes: /add ID \"Bob Smith\" [HOST[:PORT]]"))
        #expect(CommandParser.parse("/add \(id) bob 10.0.0.2:29172")
                == .command(.add(id: id, name: "bob", address: "10.0.0.2:29172")))
        let spaced = id.replacingOccurrences(of: "-", with: " ")
        #expect(CommandParser.parse("/add \(spaced) bob") == .command(.add(id: id.replacingOccurrences(of: "-", with: ""),
                                                                              name: "bob", address: nil)))
    }

    @Test func missingArgumentsGiveTheUsage() {
        #expect(CommandParser.parse("/add") == .invalid("usage: /add ID NAME [HOST[:PORT]]"))
        #expect(CommandParser.parse("/send") == .invalid("usage: /send PATH"))
        #expect(CommandParser.parse("/search") == .invalid("usage: /search TEXT"))
    }

    @Test func everyCommandParses() {
        #expect(CommandParser.parse("/help") == .command(.help))
        #expect(CommandParser.parse("/accept") == .command(.accept(nil)))
        #expect(CommandParser.parse("/decline carol") == .command(.decline("carol")))
        #expect(CommandParser.parse("/rename Robert B") == .command(.rename("Robert B")))
        #expect(CommandParser.parse("/block") == .command(.block(nil)))
        #expect(CommandParser.parse("/verify") == .command(.verify(confirmed: false)))
        #expect(CommandParser.parse("/verify yes") == .command(.verify(confirmed: true)))
        #expect(CommandParser.parse("/send ~/a file.txt") == .command(.send(path: "~/a file.txt")))
        #expect(CommandParser.parse("/files") == .command(.files))
        #expect(CommandParser.parse("/search old thing") == .command(.search("old thing")))
        #expect(CommandParser.parse("/call") == .command(.call))
        #expect(CommandParser.parse("/nick Alice B") == .command(.nick("Alice B")))
        #expect(CommandParser.parse("/id") == .command(.id))
        #expect(CommandParser.parse("/address") == .command(.address(.list, nil)))
        #expect(CommandParser.parse("/address add 192.0.2.7") == .command(.address(.add, "192.0.2.7")))
        #expect(CommandParser.parse("/address remove [::1]:4000") == .command(.address(.remove, "[::1]:4000")))
        #expect(CommandParser.parse("/address 192.0.2.7") == .command(.address(.add, "192.0.2.7")))
        #expect(CommandParser.parse("/vcall") == .command(.videoCall))
        #expect(CommandParser.parse("/hangup") == .command(.hangup))
        #expect(CommandParser.parse("/invite carol") == .command(.invite("carol")))
        #expect(CommandParser.parse("/invite") == .invalid("usage: /invite WHO"))
        #expect(CommandParser.parse("/QUIT") == .command(.quit))
    }

    @Test func unknownCommandsAreExplained() {
        guard case .invalid(let reason) = CommandParser.parse("/frobnicate") else {
            Issue.record("not refused")
            return
        }
        #expect(reason.contains("/help"))
    }
}

@Suite("Command completion")
struct CommandCompleterTests {
    let completer = CommandCompleter(contactNames: ["bob", "Bertrand", "alice"], requestNames: ["carol"])

    @Test func completesAUniqueCommand() {
        #expect(completer.complete("/he") == .init(line: "/help ", candidates: []))
        #expect(completer.complete("/q") == .init(line: "/quit ", candidates: []))
    }

    @Test func listsSeveralCandidates() {
        let completion = completer.complete("/s")
        #expect(completion?.line == "/s")
        #expect(completion?.candidates == ["search", "send", "set", "stats"])
        let narrower = completer.complete("/se")
        #expect(narrower?.candidates == ["search", "send", "set"])
    }

    @Test func completesContactAndRequestNames() {
        #expect(completer.complete("/block al") == .init(line: "/block alice ", candidates: []))
        #expect(completer.complete("/block b")?.candidates == ["Bertrand", "bob"])
        #expect(completer.complete("/accept c") == .init(line: "/accept carol ", candidates: []))
    }

    @Test func plainTextIsNotCompleted() {
        #expect(completer.complete("hello") == nil)
    }
}

@Suite("Theme")
struct ThemeTests {
    @Test func parsesColourSpellings() {
        #expect(ColorSpec(parsing: "cyan") == .ansi(6))
        #expect(ColorSpec(parsing: "208") == .palette(208))
        #expect(ColorSpec(parsing: "#ff8000") == .rgb(red: 255, green: 128, blue: 0))
        #expect(ColorSpec(parsing: "chartreuse-ish") == nil)
    }

    @Test func mapsColoursToTheTerminalsDepth() {
        let orange = ColorSpec.rgb(red: 255, green: 135, blue: 0)
        #expect(orange.terminalColor(for: .direct) == 0xFF8700)
        #expect(orange.terminalColor(for: .palette256) == 208)
        #expect(orange.terminalColor(for: .eight) == 3)  // yellow is the nearest of the eight
        #expect(ColorSpec.palette(196).terminalColor(for: .eight) == 1)
        #expect(ColorSpec.rgb(red: 128, green: 128, blue: 128).terminalColor(for: .palette256) == 244)
    }

    @Test func noColorWins() {
        #expect(ColorDepth.detect(colors: 256, hasColors: true, environment: ["NO_COLOR": "1"]) == .none)
        #expect(ColorDepth.detect(colors: 256, hasColors: true, environment: [:]) == .palette256)
        #expect(ColorDepth.detect(colors: 0x1000000, hasColors: true, environment: [:]) == .direct)
        #expect(ColorDepth.detect(colors: 8, hasColors: true, environment: [:]) == .eight)
    }

    @Test func configKeysChangeTheDefaultTheme() {
        let (theme, problems) = Theme.configured(by: ["theme.accent": "magenta", "theme.status_bg": "#202020",
                                                       "theme.bogus": "red", "theme.error": "nope"])
        #expect(theme.style(for: .accent).foreground == .ansi(5))
        #expect(theme.style(for: .statusBar).background == .rgb(red: 32, green: 32, blue: 32))
        #expect(problems.count == 2)
    }
}

@Suite("Transfer formatting")
struct TransferFormattingTests {
    @Test func barsSizesRatesAndTimes() {
        #expect(TransferFormatting.bar(fraction: 0, width: 6) == "[    ]")
        #expect(TransferFormatting.bar(fraction: 0.5, width: 6) == "[██  ]")
        #expect(TransferFormatting.bar(fraction: 1, width: 6) == "[████]")
        #expect(TransferFormatting.bar(fraction: 0.5625, width: 6) == "[██▎ ]")
        #expect(TransferFormatting.size(1023) == "1023 B")
        #expect(TransferFormatting.size(1536) == "1.5 KiB")
        #expect(TransferFormatting.rate(bytesPerSecond: 2_097_152) == "2.0 MiB/s")
        #expect(TransferFormatting.eta(remainingBytes: 65, bytesPerSecond: 1) == "ETA 1:05")
        #expect(TransferFormatting.eta(remainingBytes: 7389, bytesPerSecond: 1) == "ETA 2:03:09")
        #expect(TransferFormatting.eta(remainingBytes: 10, bytesPerSecond: 0) == "ETA --")
    }
}

@Suite("Key decoding")
struct KeyDecodingTests {
    @Test func aBurstWithNewlinesInsideIsOnePaste() {
        let keys: [KeyInput] = [.text("a"), .enter, .text("b"), .text("c")]
        #expect(CursesKeyReader.groupingPastedBursts(keys) == [.paste("a\nbc")])
    }

    @Test func typedTextFollowedByEnterIsSent() {
        let keys: [KeyInput] = [.text("h"), .text("i"), .enter]
        #expect(CursesKeyReader.groupingPastedBursts(keys) == keys)
    }
}

@Suite("Path completion for /send")
struct PathCompletionTests {
    let completer = CommandCompleter(listDirectory: { directory in
        switch directory {
        case ".": ["notes.txt", "notes-old.txt", "photos/", ".secret"]
        case "photos/": ["beach.jpg", "bike.jpg"]
        case "/tmp/": ["report.pdf"]
        default: []
        }
    })

    @Test func completesAUniqueFile() {
        #expect(completer.complete("/send /tmp/re")?.line == "/send /tmp/report.pdf ")
    }

    @Test func descendsIntoADirectoryWithoutASpace() {
        #expect(completer.complete("/send pho")?.line == "/send photos/")
        #expect(completer.complete("/send photos/b")?.candidates == ["photos/beach.jpg", "photos/bike.jpg"])
    }

    @Test func extendsToTheCommonPrefixAndListsCandidates() {
        let completion = completer.complete("/send no")
        #expect(completion?.line == "/send notes")
        #expect(completion?.candidates == ["notes-old.txt", "notes.txt"])
    }

    @Test func hiddenFilesOnlyWhenAsked() {
        #expect(completer.complete("/send .s")?.line == "/send .secret ")
        #expect(completer.complete("/send ")?.candidates.contains(".secret") == false)
    }
}
