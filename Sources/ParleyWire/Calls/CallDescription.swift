/// What one side of a call sends and receives, where, and the key for what it sends: the
/// body of CALL_INVITE and CALL_ACCEPT.
public struct CallDescription: Sendable, Equatable {
    /// At most one entry per kind.
    public var media: [CallMediaOffer]
    /// Where this side receives UDP media, best first.
    public var candidates: [CallCandidate]
    /// SRTP master key and salt (AES_CM_128_HMAC_SHA1_80: 16 + 14 bytes) for what this side
    /// sends. Fresh and random per call and direction; it travels only inside the pinned link.
    public var srtpKey: [UInt8]

    public init(media: [CallMediaOffer], candidates: [CallCandidate], srtpKey: [UInt8]) {
        self.media = media
        self.candidates = candidates
        self.srtpKey = srtpKey
    }

    public static let srtpKeyLength = 30
    public static let mediaCount = 1 ... 2
    public static let candidateCount = 0 ... 8

    /// The entry for a kind, if offered.
    public func offer(_ kind: CallMediaOffer.Kind) -> CallMediaOffer? { media.first { $0.kind == kind } }

    init(from reader: inout ByteReader, field: String) throws(WireError) {
        media = try reader.readList(field: "\(field).media", allowedCount: Self.mediaCount) { (reader: inout ByteReader) throws(WireError) in
            try CallMediaOffer(from: &reader, field: "\(field).media[]")
        }
        if media.count == 2, media[0].kind == media[1].kind {
            throw .invalidValue(field: "\(field).media[].kind", value: UInt64(media[1].kind.rawValue))
        }
        candidates = try reader.readList(field: "\(field).candidates", allowedCount: Self.candidateCount) { (reader: inout ByteReader) throws(WireError) in
            try CallCandidate(from: &reader)
        }
        srtpKey = try reader.readBytes(field: "\(field).srtpKey", maxLength: Self.srtpKeyLength)
        guard srtpKey.count == Self.srtpKeyLength else {
            throw .invalidCount(field: "\(field).srtpKey", count: srtpKey.count, allowed: Self.srtpKeyLength ... Self.srtpKeyLength)
        }
    }

    func encode(to writer: inout ByteWriter) {
        writer.writeList(media) { $1.encode(to: &$0) }
        writer.writeList(candidates) { $1.encode(to: &$0) }
        writer.writeBytes(srtpKey)
    }

    func validate(field: String) throws(WireError) {
        try Limit.check(count: media.count, field: "\(field).media", allowed: Self.mediaCount)
        for offer in media { try offer.validate(field: "\(field).media[]") }
        try Limit.check(count: candidates.count, field: "\(field).candidates", allowed: Self.candidateCount)
        for candidate in candidates { try candidate.validate() }
        try Limit.check(count: srtpKey.count, field: "\(field).srtpKey", allowed: Self.srtpKeyLength ... Self.srtpKeyLength)
    }
}
