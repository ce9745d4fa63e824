/// The two kinds of media a call carries. Encoded by name, also as a dictionary key
/// (`{"audio": …, "video": …}` in JSON statistics).
public enum CallMediaKind: String, Sendable, CaseIterable, Codable, CodingKeyRepresentable {
    case audio, video

    /// The same kind in the RTP stream vocabulary (statistics, session descriptions).
    public var streamKind: MediaDescription.Kind {
        switch self {
        case .audio: .audio
        case .video: .video
        }
    }
}
