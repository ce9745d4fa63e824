import CSRTP

/// Why SRTP could not protect or unprotect a packet.
public enum SRTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The keying material has the wrong size or is not valid base64.
    case invalidKey(String)
    /// The authentication tag does not match: wrong key, or the packet was altered.
    case authenticationFailed
    /// The packet was already received (or is too old for the replay window).
    case replayed
    /// libsrtp2 refused for another reason; `status` is its srtp_err_status_t.
    case libraryFailure(operation: String, status: Int)

    public var description: String {
        switch self {
        case let .invalidKey(reason): return "invalid SRTP key: \(reason)"
        case .authenticationFailed: return "SRTP authentication failed (HMAC mismatch): the peers use different keys, or the packet was altered"
        case .replayed: return "SRTP packet replayed or too old; drop it"
        case let .libraryFailure(operation, status): return "libsrtp2 \(operation) failed with status \(status)"
        }
    }
}

/// SRTP master key and salt for AES_CM_128_HMAC_SHA1_80 (16 + 14 bytes).
public struct SRTPKeyingMaterial: Equatable, Sendable {
    public static let keyLength = 16
    public static let saltLength = 14
    /// Key followed by salt (30 bytes), as in SDES `inline:` and libsrtp.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(SRTPError) {
        guard bytes.count == Self.keyLength + Self.saltLength else {
            throw .invalidKey("AES_CM_128_HMAC_SHA1_80 needs 30 bytes of key and salt, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// From the base64 of an SDP `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY` line
    /// (optional `|lifetime|MKI` parameters after the key are ignored).
    public init(sdpInline: String) throws(SRTPError) {
        let key = sdpInline.split(separator: "|").first.map(String.init) ?? ""
        guard let data = Base64.decode(key) else { throw .invalidKey("'\(key)' is not base64") }
        try self.init(bytes: data)
    }

    /// Fresh key and salt from the system's cryptographic random source (getrandom on
    /// Linux): one per call and direction, never reused.
    public static func random() -> SRTPKeyingMaterial {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0 ..< keyLength + saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SRTPKeyingMaterial(checked: bytes)
    }

    private init(checked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The base64 form for an SDP `inline:` parameter.
    public var sdpInline: String { Base64.encode(bytes) }
}

/// One direction of an SRTP session with libsrtp2, profile AES_CM_128_HMAC_SHA1_80:
/// an outbound session protects RTP and RTCP, an inbound one unprotects (with replay
/// protection). Streams are created for any SSRC on first use.
public final class SRTPSession {
    public enum Direction: Sendable { case outbound, inbound }

    public let direction: Direction
    private let session: srtp_t

    private static let libraryReady: Bool = srtp_init() == srtp_err_status_ok

    public init(keying: SRTPKeyingMaterial, direction: Direction) throws(SRTPError) {
        guard Self.libraryReady else { throw .libraryFailure(operation: "srtp_init", status: -1) }
        var policy = srtp_policy_t()
        parley_srtp_policy_aes_cm_128_hmac_sha1_80(&policy.rtp)
        parley_srtp_policy_aes_cm_128_hmac_sha1_80(&policy.rtcp)
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 1024
        // A retransmission (generic NACK) protects a packet with the index it had: allowed,
        // and safe because only the identical packet is ever sent again (the same plaintext
        // under the same keystream gives the same bytes).
        policy.allow_repeat_tx = direction == .outbound ? 1 : 0
        var created: srtp_t?
        var key = keying.bytes
        let status = key.withUnsafeMutableBufferPointer { buffer in
            policy.key = buffer.baseAddress
            return srtp_create(&created, &policy)
        }
        guard status == srtp_err_status_ok, let created else {
            throw .libraryFailure(operation: "srtp_create", status: Int(status.rawValue))
        }
        self.direction = direction
        session = created
    }

    deinit { srtp_dealloc(session) }

    /// Encrypts and authenticates an RTP packet (outbound sessions).
    public func protect(_ rtp: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(rtp, extra: Int(parley_srtp_max_trailer_length()), minimumLength: 12, operation: "srtp_protect") { srtp_protect($0, $1, $2) }
    }

    /// Checks and decrypts an SRTP packet (inbound sessions).
    public func unprotect(_ srtp: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(srtp, extra: 0, minimumLength: 12, operation: "srtp_unprotect") { srtp_unprotect($0, $1, $2) }
    }

    /// Encrypts and authenticates a compound RTCP packet (outbound sessions).
    public func protectRTCP(_ rtcp: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(rtcp, extra: Int(parley_srtp_max_trailer_length()), minimumLength: 8, operation: "srtp_protect_rtcp") { srtp_protect_rtcp($0, $1, $2) }
    }

    /// Checks and decrypts an SRTCP packet (inbound sessions).
    public func unprotectRTCP(_ srtcp: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(srtcp, extra: 0, minimumLength: 8, operation: "srtp_unprotect_rtcp") { srtp_unprotect_rtcp($0, $1, $2) }
    }

    private func transform(
        _ packet: [UInt8], extra: Int, minimumLength: Int, operation: StaticString,
        _ call: (srtp_t, UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t
    ) throws(SRTPError) -> [UInt8] {
        // libsrtp reads the RTP/RTCP header in place: refuse what cannot be a packet.
        guard packet.count >= minimumLength else {
            throw .libraryFailure(operation: "\(operation)", status: Int(srtp_err_status_bad_param.rawValue))
        }
        // One allocation per packet: the packet with room for the trailer behind it.
        var buffer = [UInt8](unsafeUninitializedCapacity: packet.count + extra) { storage, count in
            let copied = storage.initialize(fromContentsOf: packet)
            storage[copied...].initialize(repeating: 0)
            count = packet.count + extra
        }
        var length = Int32(packet.count)
        let status = buffer.withUnsafeMutableBytes { bytes in call(session, bytes.baseAddress!, &length) }
        switch status {
        case srtp_err_status_ok:
            buffer.removeSubrange(Int(length)...)
            return buffer
        case srtp_err_status_auth_fail: throw .authenticationFailed
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: throw .replayed
        default: throw .libraryFailure(operation: "\(operation)", status: Int(status.rawValue))
        }
    }
}

/// Minimal base64 (RFC 4648) for SDP key parameters.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index ..< min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for position in 0 ..< 4 {
                output.append(position <= chunk.count ? alphabet[(value >> (18 - 6 * position)) & 63] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        for start in stride(from: 0, to: characters.count, by: 4) {
            var value = 0
            var padding = 0
            for character in characters[start ..< start + 4] {
                if character == UInt8(ascii: "=") {
                    padding += 1
                    value <<= 6
                } else if padding == 0, let digit = alphabet.firstIndex(of: character) {
                    value = value << 6 | digit
                } else {
                    return nil
                }
            }
            guard padding <= 2 else { return nil }
            let bytes = [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
            output += bytes.prefix(3 - padding)
        }
        return output
    }
}
