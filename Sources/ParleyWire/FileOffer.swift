#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The FILE_OFFER payload (type 0x0101): a sender proposes a file.
///
/// Re-sent unchanged (same transfer ID) after a reconnect, so a receiver
/// that already knows the transfer answers with where to resume.
public struct FileOffer: WirePayload {
    public var transferID: UUID
    /// The name the sender proposes. Untrusted: receivers reduce it to a safe base name.
    public var fileName: String
    /// The file's size in bytes, at most ``WireLimits/maxFileSize``.
    public var size: UInt64
    /// SHA-256 of the whole file (32 bytes).
    public var sha256: [UInt8]
    /// MIME type, or empty.
    public var mimeType: String

    public init(transferID: UUID, fileName: String, size: UInt64, sha256: [UInt8], mimeType: String = "") {
        self.transferID = transferID
        self.fileName = fileName
        self.size = size
        self.sha256 = sha256
        self.mimeType = mimeType
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        transferID = try reader.readUUID(field: "fileOffer.transferID")
        fileName = try reader.readString(field: "fileOffer.fileName", maxBytes: WireLimits.maxFileNameBytes)
        size = try reader.readFileOffset(field: "fileOffer.size")
        sha256 = try reader.readRaw(count: 32, field: "fileOffer.sha256")
        mimeType = try reader.readString(field: "fileOffer.mimeType", maxBytes: WireLimits.maxMimeTypeBytes)
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeUUID(transferID)
        writer.writeString(fileName)
        writer.writeUInt64(size)
        writer.writeRaw(sha256)
        writer.writeString(mimeType)
    }

    public func validate() throws(WireError) {
        try Limit.check(fileName, field: "fileOffer.fileName", maxBytes: WireLimits.maxFileNameBytes)
        try Limit.check(mimeType, field: "fileOffer.mimeType", maxBytes: WireLimits.maxMimeTypeBytes)
        try Limit.check(size, field: "fileOffer.size", allowed: WireLimits.fileOffsets)
        guard sha256.count == 32 else { throw .invalidCount(field: "fileOffer.sha256", count: sha256.count, allowed: 32...32) }
    }
}
