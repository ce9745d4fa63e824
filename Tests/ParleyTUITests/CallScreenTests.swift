import Foundation
import ParleyCore
@testable import ParleyNode
import Testing
@testable import ParleyTUI

@Suite("Call screen")
struct CallScreenTests {
    func status(_ state: String, video: Bool = true) -> CallStatus {
        var call = CallStatus(id: "C1", contact: "K2AM", name: "bob", direction: "out", state: state, video: video,
                              startedAt: Date(timeIntervalSince1970: 0), local: CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true),
                              remote: CallMediaStates(audioOut: false, videoOut: true, audioIn: true, videoIn: true), deviceErrors: [])
        call.duration = 65
        call.ringRemaining = 25
        return call
    }

    @Test(.timeLimit(.minutes(1)))
    func theLayoutGivesAVideoCallAPaneAboveTheConversationAndABarUnderTheTitle() {
        let layout = ScreenLayout(columns: 120, rows: 36, hasCall: true, wantsVideo: true)
        #expect(layout.callBar == Rect(row: 1, column: 0, width: 120, height: 1))
        #expect(layout.contacts.row == 2)
        #expect(layout.video.row == 2 && layout.video.column == layout.conversation.column)
        #expect(layout.video.height >= ScreenLayout.minimumVideoRows)
        #expect(layout.conversation.row == layout.video.bottom)
        #expect(layout.conversation.height >= ScreenLayout.minimumConversationRows)
        #expect(layout.conversation.bottom == layout.status.row)
    }

    @Test(.timeLimit(.minutes(1)))
    func belowTheMinimumTheVideoPaneGivesWayToTheBar() {
        let short = ScreenLayout(columns: 80, rows: 12, hasCall: true, wantsVideo: true)
        #expect(short.callBar.height == 1)
        #expect(short.video.height == 0)
        #expect(short.conversation.row == 2)
        let audio = ScreenLayout(columns: 120, rows: 36, hasCall: true, wantsVideo: false)
        #expect(audio.video.height == 0 && audio.callBar.height == 1)
        let none = ScreenLayout(columns: 120, rows: 36)
        #expect(none.callBar.height == 0 && none.video.height == 0 && none.contacts.row == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func theBarSaysHowToAnswerACallThatRings() {
        let text = CallBar.view(for: status("ringing-in")).left.map(\.text).joined()
        #expect(text.contains("bob is calling you (video call)"))
        #expect(text.contains("Alt-Y answer") && text.contains("Alt-A audio only") && text.contains("Alt-N decline"))
    }

    @Test(.timeLimit(.minutes(1)))
    func theBarCountsDownWhileOurCallRings() {
        let text = CallBar.view(for: status("ringing-out"), age: 5).left.map(\.text).joined()
        #expect(text.contains("ringing at bob…") && text.contains("20 s left") && text.contains("Esc cancels"))
    }

    @Test(.timeLimit(.minutes(1)))
    func anActiveCallShowsItsClockBothSidesStatesAndFigures() {
        var call = status("active")
        call.mediaPath = "host"
        var statistics = CallStatistics()
        statistics.audioReceived = CallStatistics.Stream(codec: "opus", packets: 50, bitrate: 32_000)
        statistics.audioReceived?.lossFraction = 0.012
        statistics.audioReceived?.jitterBufferMilliseconds = 40
        statistics.videoReceived = CallStatistics.Stream(codec: "vp8", packets: 500, bitrate: 780_000)
        statistics.audioSent = CallStatistics.Stream(codec: "opus", packets: 50, bitrate: 32_000)
        statistics.audioSent?.roundTripMilliseconds = 14
        call.statistics = statistics
        let bar = CallBar.view(for: call, age: 2)
        let text = bar.left.map(\.text).joined()
        #expect(text.contains("bob 1:07"))
        #expect(text.contains("you: mic cam snd vid"))
        #expect(text.contains("bob: mic✗ cam snd vid"))
        #expect(text.contains("host"))
        #expect(text.contains("↓812k ↑32k") && text.contains("loss 1.2%") && text.contains("rtt 14ms") && text.contains("jb 40ms"))
        #expect(bar.left.contains { $0.text.hasPrefix("mic✗") && $0.role == .callBarOff })
        let audioOnly = CallBar.view(for: status("active", video: false)).left.map(\.text).joined()
        #expect(!audioOnly.contains("cam") && !audioOnly.contains("vid"))
    }

    @Test(.timeLimit(.minutes(1)))
    func aNarrowBarDropsTheFiguresBeforeTheStates() {
        var call = status("active")
        call.mediaPath = "host"
        var statistics = CallStatistics()
        statistics.audioReceived = CallStatistics.Stream(codec: "opus", packets: 50, bitrate: 32_000)
        statistics.audioReceived?.lossFraction = 0.01
        statistics.audioSent = CallStatistics.Stream(codec: "opus", packets: 50, bitrate: 32_000)
        call.statistics = statistics
        for width in [60, 80, 100] {
            let bar = CallBar.view(for: call, width: width)
            let used = bar.left.reduce(0) { $0 + $1.text.displayWidth } + bar.right.reduce(0) { $0 + $1.text.displayWidth }
            let text = bar.left.map(\.text).joined()
            #expect(text.contains("mic✗") || width < 70, "width \(width): \(text)")
            #expect(used <= width || width < 70, "width \(width): \(used) columns")
        }
        #expect(CallBar.view(for: call, width: 80).left.map(\.text).joined().contains("↓32k"))
        #expect(!CallBar.view(for: call, width: 80).left.map(\.text).joined().contains("loss"))
    }

    @Test(.timeLimit(.minutes(1)))
    func endedCallsAreSaidInWords() {
        func say(_ reason: String, by: String? = "peer", missed: Bool = false) -> String {
            CallBar.endNotice(name: "bob", reason: reason, by: by, detail: "no codec", duration: 192, missed: missed)
        }
        #expect(say("busy") == "bob is busy (in another call)")
        #expect(say("declined") == "bob declined the call")
        #expect(say("no-answer") == "bob did not answer")
        #expect(say("no-answer", missed: true) == "missed call from bob")
        #expect(say("hung-up") == "bob hung up (3 min 12 s)")
        #expect(say("hung-up", by: "local") == "call with bob ended (3 min 12 s)")
        #expect(say("failed") == "the call with bob failed: no codec")
        // Durations that are not numbers (a bad status) show as nothing rather than trapping.
        #expect(CallBar.clock(.infinity) == "0:00" && CallBar.clock(.nan) == "0:00")
        #expect(CallRecord.format(.nan) == "0 s")
    }

    @Test(.timeLimit(.minutes(1)))
    func theStatisticsPanelListsEveryStream() {
        var call = status("active")
        var statistics = CallStatistics()
        statistics.videoReceived = CallStatistics.Stream(codec: "vp8", packets: 500, bitrate: 780_000)
        statistics.videoReceived?.width = 640
        statistics.videoReceived?.height = 480
        statistics.videoReceived?.framesPerSecond = 29.7
        call.statistics = statistics
        let text = CallStatsLines.lines(for: call).map(\.text)
        #expect(text.contains { $0.contains("Video received") })
        #expect(text.contains { $0.contains("640x480") && $0.contains("29.7 fps") })
        #expect(text.contains { $0.contains("microphone off") })
    }

    @Test(.timeLimit(.minutes(1)))
    func callsShowAmongTheMessagesInTimeOrder() throws {
        let peer = try ContactID(parsing: "K2AM-W5SK-CX65-G1QP-S07X-8JNT-S2ZY-EW5P-2NMD")
        let early = Date(timeIntervalSince1970: 1_000_000)
        let message = Message(id: UUID(), contactID: peer, direction: .incoming, body: "hi", sentAt: early.addingTimeInterval(60),
                              state: .delivered)
        let missed = CallRecord(id: UUID(), contactID: peer, direction: .incoming, video: true, startedAt: early,
                                endedAt: early.addingTimeInterval(30), outcome: .missed)
        let answered = CallRecord(id: UUID(), contactID: peer, direction: .outgoing, video: false, startedAt: early.addingTimeInterval(120),
                                  answeredAt: early.addingTimeInterval(125), endedAt: early.addingTimeInterval(317), outcome: .answered)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let lines = ConversationFormatter(ownName: "alice", peerName: "bob", calendar: calendar)
            .lines(for: [message], calls: [missed, answered], width: 80).map(\.text)
        let missedLine = try #require(lines.firstIndex { $0.contains("↙ missed video call") })
        let messageLine = try #require(lines.firstIndex { $0.contains("bob │ hi") })
        let answeredLine = try #require(lines.firstIndex { $0.contains("↗ call, 3 min 12 s") })
        #expect(missedLine < messageLine && messageLine < answeredLine)
    }

    @Test(.timeLimit(.minutes(1)))
    func actionsShowAsAStarLine() throws {
        let peer = try ContactID(parsing: "K2AM-W5SK-CX65-G1QP-S07X-8JNT-S2ZY-EW5P-2NMD")
        let message = Message(contactID: peer, direction: .incoming, body: "/me waves from the train", sentAt: Date(), state: .delivered)
        let lines = ConversationFormatter(ownName: "alice", peerName: "bob").lines(for: [message], width: 80).map(\.text)
        #expect(lines.contains { $0.contains("│ * bob waves from the train") })
        #expect(CommandParser.parse("/me waves") == .command(.me("waves")))
        #expect(CommandParser.parse("/me") == .invalid("usage: /me ACTION"))
    }

    @Test(.timeLimit(.minutes(1)))
    func timeFormatsLineTheTextUp() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: 1_750_000_000 + 42)  // 15:07:22 UTC
        #expect(TimeFormat.twentyFour.string(date, calendar: calendar) == "15:07")
        #expect(TimeFormat.twentyFourSeconds.string(date, calendar: calendar) == "15:07:22")
        #expect(TimeFormat.twelve.string(date, calendar: calendar) == " 3:07pm")
        let peer = try ContactID(parsing: "K2AM-W5SK-CX65-G1QP-S07X-8JNT-S2ZY-EW5P-2NMD")
        let long = Message(contactID: peer, direction: .incoming, body: String(repeating: "word ", count: 30), sentAt: date, state: .delivered)
        for format in TimeFormat.allCases {
            let lines = ConversationFormatter(timeFormat: format, ownName: "alice", peerName: "bob", calendar: calendar)
                .lines(for: [long], width: 60).map(\.text).dropFirst()  // after the day separator
            let bars = Set(lines.compactMap { line in line.firstIndex(of: "│").map { line[..<$0].count } })
            #expect(bars.count == 1, "\(format): every line's │ in one column")
            for line in lines { #expect(line.displayWidth <= 60) }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func callCommandsParse() {
        #expect(CommandParser.parse("/call") == .command(.call))
        #expect(CommandParser.parse("/vcall") == .command(.videoCall))
        #expect(CommandParser.parse("/answer") == .command(.answer(audioOnly: false)))
        #expect(CommandParser.parse("/answer audio") == .command(.answer(audioOnly: true)))
        #expect(CommandParser.parse("/mute") == .command(.mute))
        #expect(CommandParser.parse("/camera") == .command(.camera))
        #expect(CommandParser.parse("/deafen") == .command(.deafen))
        #expect(CommandParser.parse("/hide") == .command(.hide))
        #expect(CommandParser.parse("/stats") == .command(.stats))
        #expect(CommandParser.parse("/hangup") == .command(.hangup))
    }
}

/// The group call's pane: tiles laid out in a grid, labels with names, mute and the speaker.
@Suite("Group call tiles")
struct GroupCallTileTests {
    @Test("1 fills the pane, 2 side by side, 3–4 in 2×2, 5–6 in 3×2; leftover cells go to the last column and row",
          arguments: [
              (1, [Rect(row: 1, column: 0, width: 80, height: 20)]),
              (2, [Rect(row: 1, column: 0, width: 40, height: 20), Rect(row: 1, column: 40, width: 40, height: 20)]),
              (3, [Rect(row: 1, column: 0, width: 40, height: 10), Rect(row: 1, column: 40, width: 40, height: 10),
                   Rect(row: 11, column: 0, width: 40, height: 10)]),
              (6, [Rect(row: 1, column: 0, width: 26, height: 10), Rect(row: 1, column: 26, width: 26, height: 10),
                   Rect(row: 1, column: 52, width: 28, height: 10), Rect(row: 11, column: 0, width: 26, height: 10),
                   Rect(row: 11, column: 26, width: 26, height: 10), Rect(row: 11, column: 52, width: 28, height: 10)]),
          ])
    func layout(_ count: Int, _ expected: [Rect]) {
        #expect(VideoTileLayout.tiles(count: count, in: Rect(row: 1, column: 0, width: 80, height: 20)) == expected)
    }

    @Test("No tiles in an empty pane; never more than six")
    func bounds() {
        #expect(VideoTileLayout.tiles(count: 3, in: .empty).isEmpty)
        #expect(VideoTileLayout.tiles(count: 9, in: Rect(row: 0, column: 0, width: 60, height: 20)).count == 6)
    }

    @Test("A label: the name at the tile's bottom row, padded to its width; the speaker marked in reverse video; muted said")
    func labels() {
        let rect = Rect(row: 9, column: 40, width: 20, height: 1)
        let quiet = String(decoding: VideoPane.labelBytes(VideoPane.Label(name: "carol", muted: true), in: rect), as: UTF8.self)
        #expect(quiet == "\u{1B}[10;41H\u{1B}[0;2m  carol (muted)     \u{1B}[0m")
        let speaking = String(decoding: VideoPane.labelBytes(VideoPane.Label(name: "bob\u{1B}[2J", speaking: true), in: rect),
                              as: UTF8.self)
        #expect(speaking.hasPrefix("\u{1B}[10;41H\u{1B}[0;7m▶ bob"), "\(speaking)")
        #expect(!speaking.contains("\u{1B}[2J"), "a name's escape sequences never reach the terminal")
        let long = String(decoding: VideoPane.labelBytes(VideoPane.Label(name: String(repeating: "x", count: 50)), in: rect), as: UTF8.self)
        #expect(long.contains(String(repeating: "x", count: 17)) && !long.contains(String(repeating: "x", count: 19)))
    }

    @Test("The call bar names a group call by its first peer and how many more")
    func barTitle() {
        var status = CallStatus(id: "1", contact: "A", name: "bob", direction: "out", state: "active", video: true, startedAt: Date(),
                                local: CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true),
                                remote: CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true), deviceErrors: [])
        #expect(CallBar.title(of: status) == "bob")
        let leg = { (name: String, state: String) in
            CallParticipant(contact: name, name: name, direction: "out", state: state,
                            remote: CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true))
        }
        status.participants = [leg("bob", "active"), leg("carol", "active"), leg("dave", "ended"), leg("erin", "connecting")]
        #expect(CallBar.title(of: status) == "bob +2")
    }

    @Test("The statistics panel of a group call has a line per peer: state, path, who carries it, muted, rates")
    func statsPanel() {
        var status = CallStatus(id: "1", contact: "A", name: "bob", direction: "out", state: "active", video: true, startedAt: Date(),
                                local: CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true),
                                remote: CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true), deviceErrors: [])
        var statistics = CallStatistics()
        statistics.audioReceived = CallStatistics.Stream(codec: "opus", packets: 100, bitrate: 32000)
        status.participants = [
            CallParticipant(contact: "B", name: "bob", direction: "out", state: "active", mediaPath: "host",
                            remote: CallMediaStates(audioOut: true, videoOut: true, audioIn: true, videoIn: true), statistics: statistics),
            CallParticipant(contact: "C", name: "carol", direction: "in", state: "active", mediaPath: "forwarded", via: "bob",
                            remote: CallMediaStates(audioOut: false, videoOut: true, audioIn: true, videoIn: true)),
        ]
        let text = CallStatsLines.lines(for: status).map { $0.spans.map(\.text).joined() }
        #expect(text.contains { $0.contains("bob") && $0.contains("active · host · audio 32") }, "\(text)")
        #expect(text.contains { $0.contains("carol") && $0.contains("forwarded · through bob · muted") }, "\(text)")
    }
}
