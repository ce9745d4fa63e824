import Foundation

/// Parley stores and sends times as integer milliseconds since the Unix epoch.
extension Date {
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    public init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Milliseconds since the epoch as the wire's unsigned field (0 before 1970).
    public var wireTimestamp: UInt64 { UInt64(max(0, millisecondsSince1970)) }

    public init(wireTimestamp: UInt64) {
        self.init(millisecondsSince1970: Int64(clamping: wireTimestamp))
    }
}
