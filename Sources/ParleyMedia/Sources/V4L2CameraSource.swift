import CV4L2
#if canImport(Glibc)
import Glibc
#endif

/// Why a camera could not be used.
public enum CameraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing at the path.
    case noCamera(path: String)
    /// The device exists but cannot be opened or does not capture video.
    case unusable(path: String, reason: String)
    /// Capturing failed after the device was set up.
    case captureFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .noCamera(path):
            return "no camera at \(path): connect one, or use a Y4M file or the test pattern as the video source"
        case let .unusable(path, reason):
            return "camera \(path) cannot be used: \(reason)"
        case let .captureFailed(path, reason):
            return "camera \(path) stopped: \(reason)"
        }
    }
}

/// A V4L2 camera through libv4l2, delivering I420 frames (libv4l2 converts from the
/// camera's own format). The camera paces the frames; reads block until one is ready.
public final class V4L2CameraSource: VideoSource {
    public let path: String
    public let width: Int
    public let height: Int
    private let descriptor: Int32
    private let bytesPerLine: Int
    private let imageSize: Int
    private let clock: any MediaClock
    private var index: UInt64 = 0

    public init(path: String = "/dev/video0", width: Int = 640, height: Int = 480, frameRate: Int = 30, clock: any MediaClock = MonotonicClock()) throws(CameraError) {
        let descriptor = parley_v4l2_open(path)
        guard descriptor >= 0 else {
            if -descriptor == parley_errno_noent() { throw .noCamera(path: path) }
            throw .unusable(path: path, reason: String(cString: strerror(-descriptor)))
        }
        let capture = parley_v4l2_can_capture(descriptor)
        guard capture == 1 else {
            parley_v4l2_close(descriptor)
            throw .unusable(path: path, reason: capture == 0 ? "it is not a video capture device" : "not a V4L2 device (\(String(cString: strerror(-capture))))")
        }
        var grantedWidth: UInt32 = 0, grantedHeight: UInt32 = 0, bytesPerLine: UInt32 = 0, imageSize: UInt32 = 0
        let status = parley_v4l2_set_i420(descriptor, UInt32(width), UInt32(height), &grantedWidth, &grantedHeight, &bytesPerLine, &imageSize)
        guard status == 0, grantedWidth % 2 == 0, grantedHeight % 2 == 0, grantedWidth > 0, grantedHeight > 0 else {
            parley_v4l2_close(descriptor)
            throw .unusable(path: path, reason: "cannot deliver I420 at \(width)x\(height) (\(status < 0 ? String(cString: strerror(-status)) : "odd size \(grantedWidth)x\(grantedHeight)"))")
        }
        _ = parley_v4l2_set_frame_rate(descriptor, UInt32(frameRate))
        self.path = path
        self.descriptor = descriptor
        self.width = Int(grantedWidth)
        self.height = Int(grantedHeight)
        self.bytesPerLine = max(Int(bytesPerLine), Int(grantedWidth))
        self.imageSize = max(Int(imageSize), I420Frame.byteCount(width: Int(grantedWidth), height: Int(grantedHeight)))
        self.clock = clock
    }

    deinit { parley_v4l2_close(descriptor) }

    public func nextFrame() async throws -> CapturedVideoFrame? {
        try nextFrameBlocking()
    }

    /// Reads the next frame (libv4l2's read() blocks until the camera delivers one).
    public func nextFrameBlocking() throws -> CapturedVideoFrame? {
        var buffer = [UInt8](repeating: 0, count: imageSize)
        while true {
            let got = buffer.withUnsafeMutableBytes { parley_v4l2_read(descriptor, $0.baseAddress, UInt($0.count)) }
            if got >= 0 {
                guard got >= I420Frame.byteCount(width: width, height: height) else {
                    throw CameraError.captureFailed(path: path, reason: "short frame of \(got) bytes")
                }
                break
            }
            let error = Int32(-got)
            guard error == parley_errno_interrupted() || error == parley_errno_again() else {
                throw CameraError.captureFailed(path: path, reason: String(cString: strerror(error)))
            }
        }
        let captureTime = clock.nowNanoseconds()
        defer { index += 1 }
        return CapturedVideoFrame(frame: try repack(buffer), captureTime: captureTime, index: index)
    }

    /// Drops row padding (bytesPerLine > width) so the planes are contiguous.
    private func repack(_ buffer: [UInt8]) throws -> I420Frame {
        if bytesPerLine == width, let frame = I420Frame(width: width, height: height, planes: Array(buffer.prefix(I420Frame.byteCount(width: width, height: height)))) {
            return frame
        }
        var planes: [UInt8] = []
        planes.reserveCapacity(I420Frame.byteCount(width: width, height: height))
        let chromaStride = bytesPerLine / 2
        for row in 0 ..< height { planes += buffer[(row * bytesPerLine) ..< (row * bytesPerLine + width)] }
        var offset = bytesPerLine * height
        for _ in 0 ..< 2 {
            for row in 0 ..< height / 2 { planes += buffer[(offset + row * chromaStride) ..< (offset + row * chromaStride + width / 2)] }
            offset += chromaStride * height / 2
        }
        guard let frame = I420Frame(width: width, height: height, planes: planes) else {
            throw CameraError.captureFailed(path: path, reason: "frame layout does not match \(width)x\(height)")
        }
        return frame
    }
}
