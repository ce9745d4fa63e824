import Foundation
import ParleyMedia

/// One picture of a call on the control socket (`call-video`): the peer's (`remote`) or our
/// camera's (`local`), scaled down for a terminal, as base64 I420; no planes: that picture went.
public struct VideoFrameLine: Codable, Sendable {
    public var which: String
    public var width: Int
    public var height: Int
    public var planes: String?

    /// The widest picture sent for the peer and for the self-view (a terminal pane shows less).
    static let maxRemoteWidth = 320
    static let maxLocalWidth = 160

    init(which: String, frame: I420Frame?) {
        self.which = which
        let scaled = frame?.downscaled(toMaxWidth: which == "local" ? Self.maxLocalWidth : Self.maxRemoteWidth)
        width = scaled?.width ?? 0
        height = scaled?.height ?? 0
        planes = scaled.map { Data($0.planes).base64EncodedString() }
    }

    /// The frame again; nil for a picture that went or one whose size does not match (checked once here).
    public var frame: I420Frame? {
        guard let planes, I420Frame.dimensionRange.contains(width), I420Frame.dimensionRange.contains(height),
              let bytes = Data(base64Encoded: planes) else { return nil }
        return I420Frame(width: width, height: height, planes: [UInt8](bytes))
    }
}
