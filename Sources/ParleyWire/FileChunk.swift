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
        offset = try reader.readUInt64(field: "fileChunk.offset")
        data = try reader.readBytes(field: "fileChunk.data", maxLength: WireLimits.maxFileChunkBytes)
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
    }
}
