#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A video frame in I420 (YUV 4:2:0, planar): a full-size Y plane followed by U and V
/// planes of half width and half height, without row padding. Width and height are even.
public struct I420Frame: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// Y, then U, then V.
    public var planes: [UInt8]

    /// The supported sizes: even, 16x16 up to 4096x4096.
    public static let dimensionRange = 16 ... 4096

    public var chromaWidth: Int { width / 2 }
    public var chromaHeight: Int { height / 2 }
    public var lumaSize: Int { width * height }
    public var chromaSize: Int { chromaWidth * chromaHeight }

    /// Bytes of an I420 frame of this size.
    public static func byteCount(width: Int, height: Int) -> Int { width * height + 2 * (width / 2) * (height / 2) }

    /// A black frame.
    public init(width: Int, height: Int) {
        precondition(width % 2 == 0 && height % 2 == 0 && width > 0 && height > 0, "I420 frames have even, positive sizes")
        self.width = width
        self.height = height
        planes = [UInt8](repeating: 16, count: width * height) + [UInt8](repeating: 128, count: 2 * (width / 2) * (height / 2))
    }

    /// A frame over existing plane bytes; nil when the size does not match.
    public init?(width: Int, height: Int, planes: [UInt8]) {
        guard width > 0, height > 0, width % 2 == 0, height % 2 == 0, planes.count == Self.byteCount(width: width, height: height) else {
            return nil
        }
        self.width = width
        self.height = height
        self.planes = planes
    }

    /// Offsets of the Y, U and V planes in `planes`.
    public var uOffset: Int { lumaSize }
    public var vOffset: Int { lumaSize + chromaSize }

    /// Peak signal-to-noise ratio over all three planes against `other` (same size), in dB;
    /// infinity for identical frames.
    public func psnr(comparedTo other: I420Frame) -> Double {
        precondition(width == other.width && height == other.height, "PSNR needs frames of the same size")
        var squaredError: Double = 0
        for index in planes.indices {
            let difference = Double(Int(planes[index]) - Int(other.planes[index]))
            squaredError += difference * difference
        }
        guard squaredError > 0 else { return .infinity }
        let meanSquaredError = squaredError / Double(planes.count)
        return 10 * log10(255 * 255 / meanSquaredError)
    }
}
