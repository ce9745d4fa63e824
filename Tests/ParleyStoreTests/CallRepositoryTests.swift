import Foundation
import ParleyCore
import Testing
@testable import ParleyStore

@Suite("Call repository")
struct CallRepositoryTests {
    let bob = ContactID(subjectPublicKeyInfo: Array("bob".utf8))

    @Test(.timeLimit(.minutes(1)))
    func aCallCutShortByAStoppedNodeEndsWhenItWasLastSeenGoingOn() throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.cleanup() }
        let database = try temporary.open()
        try database.contacts.add(id: bob, name: "Bob")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let answered = CallRecord(id: UUID(), contactID: bob, direction: .outgoing, video: true, startedAt: start,
                                  answeredAt: start.addingTimeInterval(2))
        let ringing = CallRecord(id: UUID(), contactID: bob, direction: .incoming, video: false, startedAt: start.addingTimeInterval(100))
        try database.calls.insert(answered)
        try database.calls.insert(ringing)
        try database.calls.markAlive(answered.id, at: start.addingTimeInterval(62))
        // The node comes back an hour later.
        try database.calls.closeUnfinished(now: start.addingTimeInterval(3600))
        let calls = try database.calls.recent(with: bob)
        let first = try #require(calls.first { $0.id == answered.id })
        #expect(first.outcome == .answered)
        #expect(first.duration.map { abs($0 - 60) < 0.01 } == true, "duration \(String(describing: first.duration))")
        let missed = try #require(calls.first { $0.id == ringing.id })
        #expect(missed.outcome == .missed)
        #expect(missed.endedAt == ringing.startedAt)
    }
}
