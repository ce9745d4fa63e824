#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The RECEIPT payload (type 0x0011): acknowledges one or more chat messages.
public struct Receipt: WirePayload {
    /// Delivered or read.
    public var kind: ReceiptKind
    /// When the messages were delivered/read, in milliseconds since the Unix epoch.
    public var at: UInt64
    /// IDs of the acknowledged messages: 1 to ``WireLimits/maxReceiptIDs`` entries.
    public var ids: [UUID]

    /// Creates a receipt. Does not check the number of IDs; see ``validate()``.
    public init(kind: ReceiptKind, at: UInt64, ids: [UUID]) {
        self.kind = kind
        self.at = at
        self.ids = ids
    }

    private static let idCount = 1 ... WireLimits.maxReceiptIDs

    public init(from reader: inout ByteReader) throws(WireError) {
        let rawKind = try reader.readUInt8(field: "receipt.kind")
        guard let kind = ReceiptKind(rawValue: rawKind) else {
            throw .invalidValue(field: "receipt.kind", value: UInt64(rawKind))
        }
        self.kind = kind
        at = try reader.readTimestamp(field: "receipt.at")
        ids = try reader.readList(field: "receipt.ids", allowedCount: Self.idCount) {
            (reader: inout ByteReader) throws(WireError) in
            try reader.readUUID(field: "receipt.ids[]")
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt8(kind.rawValue)
        writer.writeUInt64(at)
        writer.writeList(ids) { $0.writeUUID($1) }
    }

    public func validate() throws(WireError) {
        try Limit.check(count: ids.count, field: "receipt.ids", allowed: Self.idCount)
        try Limit.check(at, field: "receipt.at", allowed: WireLimits.timestamps)
    }
}
