/// Size and count limits enforced by every Parley decoder.
///
/// Decoders reject any frame or field that exceeds these limits. Encoders do
/// **not** check them: a sender is expected to keep its messages within the
/// limits (see ``WireMessage/validate()``), otherwise the receiver closes the
/// link with `CLOSE(protocolError)`.
public enum WireLimits {
    /// Largest payload a frame may announce in its header (1 MiB).
    public static let maxPayloadLength = 1 << 20
    /// Largest display name, in UTF-8 bytes (HELLO, CONTACT_REQUEST).
    public static let maxDisplayNameBytes = 256
    /// Largest chat message body, in UTF-8 bytes.
    public static let maxChatBodyBytes = 65_536
    /// Largest note attached to a contact request, in UTF-8 bytes.
    public static let maxContactNoteBytes = 1024
    /// Largest human-readable reason in a CLOSE frame, in UTF-8 bytes.
    public static let maxCloseReasonBytes = 1024
    /// Largest number of message IDs in one RECEIPT.
    public static let maxReceiptIDs = 1024
    /// Largest number of capability strings in a HELLO.
    public static let maxCapabilities = 32
    /// Largest single capability string, in UTF-8 bytes.
    public static let maxCapabilityBytes = 64
    /// Longest proposed file name in FILE_OFFER, in UTF-8 bytes (receivers shorten it further).
    public static let maxFileNameBytes = 1024
    /// Longest MIME type in FILE_OFFER.
    public static let maxMimeTypeBytes = 255
    /// Largest data field of a FILE_CHUNK.
    public static let maxFileChunkBytes = 256 * 1024
    /// Largest file size a FILE_OFFER may announce, and so the largest offset in any
    /// file frame (1 PiB): far beyond any real file, small enough that sizes and offsets
    /// fit `Int64` and `Double` exactly and `offset + chunk` never overflows.
    public static let maxFileSize: UInt64 = 1 << 50
    /// Latest time a frame may carry, in milliseconds since the Unix epoch
    /// (9999-12-31T23:59:59.999Z): what any date formatter and `Int64` can hold.
    public static let maxTimestampMilliseconds: UInt64 = 253_402_300_799_999

    /// Allowed values of a time field (milliseconds since the Unix epoch).
    public static let timestamps: ClosedRange<UInt64> = 0 ... maxTimestampMilliseconds
    /// Allowed values of a file size or offset field.
    public static let fileOffsets: ClosedRange<UInt64> = 0 ... maxFileSize

    /// `text` shortened, on a character boundary, to at most `maxBytes` UTF-8 bytes.
    public static func fitting(_ text: String, maxBytes: Int) -> String {
        var result = ""
        var length = 0
        for character in text {
            length += character.utf8.count
            if length > maxBytes { break }
            result.append(character)
        }
        return result
    }
}
