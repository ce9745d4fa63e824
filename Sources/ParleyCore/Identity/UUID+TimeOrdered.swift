import Foundation
import Synchronization

extension UUID {
    /// A version 7 UUID (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, then a
    /// 12-bit counter (§6.2, method 1) and 62 random bits. IDs made in one process sort
    /// in the order they were made, so a store that indexes them appends to the end of
    /// its index instead of writing a random page of it for every row.
    public static func timeOrdered(now: Date = Date()) -> UUID {
        var random = SystemRandomNumberGenerator()
        return timeOrdered(now: now, using: &random)
    }

    /// ``timeOrdered(now:)`` with the random bits from `generator` (tests).
    public static func timeOrdered(now: Date, using generator: inout some RandomNumberGenerator) -> UUID {
        let wallClock = UInt64(clamping: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
        let (milliseconds, counter) = TimeOrderedClock.shared.next(wallClock: wallClock & 0xFFFF_FFFF_FFFF)
        let random: UInt64 = generator.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * index)) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: counter >> 8)     // version 7, counter's high 4 bits
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: random >> 56) & 0x3F   // variant 10
        for index in 9..<16 { bytes[index] = UInt8(truncatingIfNeeded: random >> (8 * (15 - index))) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// The last (millisecond, counter) handed out in this process: a later ID never sorts
/// before an earlier one, even when the wall clock steps back or 4,096 IDs are made
/// within one millisecond (the timestamp then runs ahead by a millisecond).
final class TimeOrderedClock: Sendable {
    static let shared = TimeOrderedClock()

    private let last = Mutex<(milliseconds: UInt64, counter: UInt64)>((0, 0))

    func next(wallClock: UInt64) -> (milliseconds: UInt64, counter: UInt64) {
        last.withLock { last in
            if wallClock > last.milliseconds {
                last = (wallClock, 0)
            } else if last.counter < 0xFFF {
                last.counter += 1
            } else {
                last = (last.milliseconds + 1, 0)
            }
            return last
        }
    }
}
