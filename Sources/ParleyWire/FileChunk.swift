#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The FILE_CHUNK payload (type 0x0107): bytes of a file at an offset.
public struct FileChunk: WirePayload {
    public var transferID: UUID
    public var offset: UInt64
    /// At most ``WireLimits/maxFileChunkBytes`` bytes.
    public var data: [UInt8]

    public init(transferID: UUID, offset: UInt64, data: [UInt8]) {
        self.transferID = transferID
        self.offset = offset
        self.data = data
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        transferID = try reader.readUUID(field: "fileChunk.transferID")
        offset = try reader.readFileOffset(field: "fileChunk.offset")
        data = try reader.readBytes(field: "fileChunk.data", maxLength: WireLimits.maxFileChunkBytes)
        // The chunk must end within the largest file too, so `offset + count` is a valid offset.
        try Self.checkEnd(offset: offset, count: data.count)
    }

    /// Where the chunk ends: `offset + data.count`, never beyond ``WireLimits/maxFileSize``.
    public var end: UInt64 {
        let (sum, overflow) = offset.addingReportingOverflow(UInt64(data.count))
        return overflow ? .max : sum
    }

    private static func checkEnd(offset: UInt64, count: Int) throws(WireError) {
        guard UInt64(count) <= WireLimits.maxFileSize - offset else {
            throw .outOfRange(field: "fileChunk.offset", value: offset,
                              allowed: 0 ... WireLimits.maxFileSize - UInt64(count))
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeUUID(transferID)
        writer.writeUInt64(offset)
        writer.writeBytes(data)
    }

    public func validate() throws(WireError) {
        guard data.count <= WireLimits.maxFileChunkBytes else {
            throw .fieldTooLong(field: "fileChunk.data", length: data.count, limit: WireLimits.maxFileChunkBytes)
        }
        try Limit.check(offset, field: "fileChunk.offset", allowed: WireLimits.fileOffsets)
        try Self.checkEnd(offset: offset, count: data.count)
    }
}
