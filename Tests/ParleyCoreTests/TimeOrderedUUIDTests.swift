import Foundation
import ParleyCore
import Testing

/// Message IDs are version 7 UUIDs that sort in the order they were made.
@Suite("Time-ordered UUID", .timeLimit(.minutes(1)))
struct TimeOrderedUUIDTests {
    @Test func carriesVersionSevenVariantAndTheTime() {
        let now = Date(timeIntervalSince1970: 1_765_000_000.123)
        let id = UUID.timeOrdered(now: now)
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        // At or just after the given time: the process-wide clock never goes back.
        #expect(milliseconds >= 1_765_000_000_123)
        #expect(Foundation.UUID(uuidString: id.uuidString) == id)
    }

    @Test func sortsInTheOrderMadeAsBytesAndAsText() {
        let ids = (0..<10_000).map { _ in UUID.timeOrdered() }
        #expect(Set(ids).count == ids.count)
        let texts = ids.map(\.canonicalText)
        #expect(texts == texts.sorted())
    }

    @Test func staysOrderedWhenTheClockStepsBack() {
        let later = UUID.timeOrdered(now: Date().addingTimeInterval(60))
        let earlier = UUID.timeOrdered(now: Date().addingTimeInterval(-3_600))
        #expect(later.canonicalText < earlier.canonicalText)
    }

    @Test func staysOrderedBeyondFourThousandInOneMillisecond() {
        let now = Date().addingTimeInterval(120)
        let texts = (0..<5_000).map { _ in UUID.timeOrdered(now: now).canonicalText }
        #expect(texts == texts.sorted())
        #expect(Set(texts).count == texts.count)
    }
}
