/// The body of CALL_CANDIDATES (0x0208), either way: the sender's ICE credentials and some of
/// its candidates (trickled: several frames may come, each adds to the ones before).
public struct CallCandidates: Sendable, Equatable {
    /// The sender's ICE username fragment (4–256 ice-chars).
    public var ufrag: String
    /// The sender's ICE password (22–256 ice-chars).
    public var password: String
    public var candidates: [ICECandidate]
    /// True in the sender's last frame: it has gathered everything.
    public var complete: Bool

    public init(ufrag: String, password: String, candidates: [ICECandidate], complete: Bool) {
        self.ufrag = ufrag
        self.password = password
        self.candidates = candidates
        self.complete = complete
    }

    public static let ufragBytes = 4 ... 256
    public static let passwordBytes = 22 ... 256
    public static let candidateCount = 0 ... 32

    init(from reader: inout ByteReader) throws(WireError) {
        ufrag = try reader.readString(field: "callCandidates.ufrag", maxBytes: Self.ufragBytes.upperBound)
        password = try reader.readString(field: "callCandidates.password", maxBytes: Self.passwordBytes.upperBound)
        candidates = try reader.readList(field: "callCandidates.candidates", allowedCount: Self.candidateCount) { (reader: inout ByteReader) throws(WireError) in
            try ICECandidate(from: &reader)
        }
        complete = try reader.readBool(field: "callCandidates.complete")
        try checkCredentials()
    }

    func encode(to writer: inout ByteWriter) {
        writer.writeString(ufrag)
        writer.writeString(password)
        writer.writeList(candidates) { $1.encode(to: &$0) }
        writer.writeBool(complete)
    }

    func validate() throws(WireError) {
        try checkCredentials()
        try Limit.check(count: candidates.count, field: "callCandidates.candidates", allowed: Self.candidateCount)
        for candidate in candidates { try candidate.validate() }
    }

    private func checkCredentials() throws(WireError) {
        for (text, field, allowed) in [(ufrag, "callCandidates.ufrag", Self.ufragBytes), (password, "callCandidates.password", Self.passwordBytes)] {
            try Limit.check(count: text.utf8.count, field: field, allowed: allowed)
            guard text.unicodeScalars.allSatisfy(ICECandidate.isICEChar) else {
                throw .invalidValue(field: field, value: UInt64(text.utf8.count))
            }
        }
    }
}
