/// The CLOSE payload (type 0x0004): a code and a human-readable reason.
public struct CloseReason: WirePayload {
    /// Machine-readable reason; unknown codes are preserved.
    public var code: CloseCode
    /// Free text for logs (at most ``WireLimits/maxCloseReasonBytes`` UTF-8 bytes; may be empty).
    public var reason: String

    /// Creates a close reason. Does not check the reason length; see ``validate()``.
    public init(code: CloseCode, reason: String = "") {
        self.code = code
        self.reason = reason
    }

    /// A protocol-error close whose reason is the error's description, cut to fit the limit.
    public init(protocolError error: WireError) {
        self.init(code: .protocolError, reason: Self.fitting(error.description))
    }

    /// `text` shortened, on a character boundary, to at most ``WireLimits/maxCloseReasonBytes`` UTF-8 bytes.
    public static func fitting(_ text: String) -> String {
        WireLimits.fitting(text, maxBytes: WireLimits.maxCloseReasonBytes)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        code = CloseCode(rawValue: try reader.readUInt16(field: "close.code"))
        reason = try reader.readString(field: "close.reason", maxBytes: WireLimits.maxCloseReasonBytes)
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(code.rawValue)
        writer.writeString(reason)
    }

    public func validate() throws(WireError) {
        try Limit.check(reason, field: "close.reason", maxBytes: WireLimits.maxCloseReasonBytes)
    }
}
