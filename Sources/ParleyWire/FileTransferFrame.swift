#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The file-transfer frames (types 0x0101–0x0109), all keyed by the transfer ID.
public enum FileTransferFrame: Sendable, Equatable {
    /// FILE_OFFER (0x0101), sender → receiver.
    case offer(FileOffer)
    /// FILE_ACCEPT (0x0102), receiver → sender: send from `offset` (0, or where a resume starts).
    case accept(UUID, offset: UInt64)
    /// FILE_REJECT (0x0103), receiver → sender: the offer is declined.
    case reject(UUID, reason: String)
    /// FILE_CANCEL (0x0104), either way: the transfer is abandoned.
    case cancel(UUID, reason: String)
    /// FILE_PAUSE (0x0105), either way: stop sending until resumed.
    case pause(UUID)
    /// FILE_RESUME (0x0106), sender → receiver: ready again; answer with FILE_ACCEPT.
    case resume(UUID)
    /// FILE_CHUNK (0x0107), sender → receiver.
    case chunk(FileChunk)
    /// FILE_ACK (0x0108), receiver → sender: every byte before `offset` arrived (flow control).
    case ack(UUID, offset: UInt64)
    /// FILE_COMPLETE (0x0109), receiver → sender: verification result.
    case complete(UUID, verified: Bool, reason: String)

    /// The transfer this frame belongs to.
    public var transferID: UUID {
        switch self {
        case .offer(let offer): offer.transferID
        case .chunk(let chunk): chunk.transferID
        case .accept(let id, _), .reject(let id, _), .cancel(let id, _), .pause(let id), .resume(let id),
             .ack(let id, _), .complete(let id, _, _):
            id
        }
    }

    var type: FrameType {
        switch self {
        case .offer: .fileOffer
        case .accept: .fileAccept
        case .reject: .fileReject
        case .cancel: .fileCancel
        case .pause: .filePause
        case .resume: .fileResume
        case .chunk: .fileChunk
        case .ack: .fileAck
        case .complete: .fileComplete
        }
    }

    init?(type: FrameType, reader: inout ByteReader) throws(WireError) {
        func id() throws(WireError) -> UUID { try reader.readUUID(field: "\(type).transferID") }
        func reason() throws(WireError) -> String {
            try reader.readString(field: "\(type).reason", maxBytes: WireLimits.maxCloseReasonBytes)
        }
        switch type {
        case .fileOffer: self = .offer(try FileOffer(from: &reader))
        case .fileAccept: self = .accept(try id(), offset: try reader.readFileOffset(field: "fileAccept.offset"))
        case .fileReject: self = .reject(try id(), reason: try reason())
        case .fileCancel: self = .cancel(try id(), reason: try reason())
        case .filePause: self = .pause(try id())
        case .fileResume: self = .resume(try id())
        case .fileChunk: self = .chunk(try FileChunk(from: &reader))
        case .fileAck: self = .ack(try id(), offset: try reader.readFileOffset(field: "fileAck.offset"))
        case .fileComplete:
            let transfer = try id()
            let verified = try reader.readBool(field: "fileComplete.verified")
            self = .complete(transfer, verified: verified, reason: try reason())
        default: return nil
        }
    }

    func encode(to writer: inout ByteWriter) {
        switch self {
        case .offer(let offer): offer.encode(to: &writer)
        case .chunk(let chunk): chunk.encode(to: &writer)
        case .accept(let id, let offset), .ack(let id, let offset):
            writer.writeUUID(id)
            writer.writeUInt64(offset)
        case .reject(let id, let reason), .cancel(let id, let reason):
            writer.writeUUID(id)
            writer.writeString(reason)
        case .pause(let id), .resume(let id):
            writer.writeUUID(id)
        case .complete(let id, let verified, let reason):
            writer.writeUUID(id)
            writer.writeBool(verified)
            writer.writeString(reason)
        }
    }

    func validate() throws(WireError) {
        switch self {
        case .offer(let offer): try offer.validate()
        case .chunk(let chunk): try chunk.validate()
        case .reject(_, let reason), .cancel(_, let reason), .complete(_, _, let reason):
            try Limit.check(reason, field: "\(type).reason", maxBytes: WireLimits.maxCloseReasonBytes)
        case .accept(_, let offset), .ack(_, let offset):
            try Limit.check(offset, field: "\(type).offset", allowed: WireLimits.fileOffsets)
        case .pause, .resume:
            break
        }
    }
}
