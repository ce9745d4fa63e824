import CVPX

/// libvpx VP8 decoder: complete frames in, I420 frames out.
///
/// Frames come from the network, so their declared size is checked before libvpx sees
/// them: a keyframe (the only kind of frame that sets the size) whose header declares a
/// width or height outside `dimensionRange` or more than `maximumPixels` pixels is refused
/// with `CodecError.frameSizeRefused` — libvpx would allocate its buffers for whatever a
/// 10-byte header says (16383x16383 is about 1 GB) — and so are the delta frames after it,
/// until the next keyframe that is accepted. Odd sizes are decoded and cropped to even.
public final class VP8VideoDecoder {
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>
    /// Width and height each, the sizes Parley's I420 frames and Y4M files support.
    public static let dimensionRange = I420Frame.dimensionRange
    /// The default cap on a frame's area: 3840x2160 (either way round).
    public static let defaultMaximumPixels = 3840 * 2160
    public let maximumPixels: Int
    /// A keyframe was refused: delta frames refer to it and are refused too.
    private var refusedUntilKeyframe = false

    public init(threads: Int = 1, maximumPixels: Int = VP8VideoDecoder.defaultMaximumPixels) throws(CodecError) {
        try requireSetting("threads", threads, in: 1 ... 16)
        let largest = Self.dimensionRange.upperBound * Self.dimensionRange.upperBound
        try requireSetting("maximumPixels", maximumPixels, in: Self.dimensionRange.lowerBound * Self.dimensionRange.lowerBound ... largest)
        self.maximumPixels = maximumPixels
        // Until `context` is set a throw does not run deinit: clean up here.
        let context = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
        guard parley_vpx_dec_init(context, UInt32(threads)) == VPX_CODEC_OK else {
            let error = VP8VideoEncoder.failure("initialise decoder", context)
            context.deallocate()
            throw error
        }
        self.context = context
    }

    deinit {
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Decodes one complete encoded frame; returns the pictures it produced (normally one).
    public func decode(_ data: [UInt8]) throws(CodecError) -> [I420Frame] {
        if let first = data.first, first & 1 == 0 {
            // A keyframe: it sets the size libvpx allocates for.
            refusedUntilKeyframe = true
            guard let size = Self.keyframeSize(data) else { throw .malformedFrame("a VP8 keyframe without its start code and size") }
            try checkSize(width: size.width, height: size.height)
            refusedUntilKeyframe = false
        } else if refusedUntilKeyframe {
            throw .awaitingKeyframe
        }
        let status = data.withUnsafeBufferPointer { buffer in
            vpx_codec_decode(context, buffer.baseAddress, UInt32(clamping: buffer.count), nil, 0)
        }
        guard status == VPX_CODEC_OK else { throw VP8VideoEncoder.failure("decode", context) }
        var frames: [I420Frame] = []
        var iterator: vpx_codec_iter_t?
        while let image = vpx_codec_get_frame(context, &iterator) {
            // The header was checked; libvpx's own idea of the size is checked again.
            try checkSize(width: Int(image.pointee.d_w), height: Int(image.pointee.d_h))
            frames.append(Self.copy(image.pointee))
        }
        return frames
    }

    /// Throws unless a `width` x `height` picture is one this decoder accepts.
    private func checkSize(width: Int, height: Int) throws(CodecError) {
        guard Self.dimensionRange.contains(width), Self.dimensionRange.contains(height), width * height <= maximumPixels else {
            throw .frameSizeRefused(width: width, height: height, dimensions: Self.dimensionRange, maximumPixels: maximumPixels)
        }
    }

    /// The size a VP8 keyframe declares (RFC 6386 §9.1: a 3-byte frame tag whose lowest
    /// bit is 0 for a keyframe, the start code 9d 01 2a, then 14-bit width and height, little
    /// endian, above 2 bits of scaling); nil for a delta frame, a keyframe too short to hold
    /// its size or one without the start code.
    public static func keyframeSize(_ data: [UInt8]) -> (width: Int, height: Int)? {
        guard data.count >= 10, data[0] & 1 == 0, data[3] == 0x9D, data[4] == 0x01, data[5] == 0x2A else { return nil }
        let width = (Int(data[7]) << 8 | Int(data[6])) & 0x3FFF
        let height = (Int(data[9]) << 8 | Int(data[8])) & 0x3FFF
        return (width, height)
    }

    private static func copy(_ image: vpx_image_t) -> I420Frame {
        let width = Int(image.d_w) & ~1   // checked: at least 16
        let height = Int(image.d_h) & ~1
        var frame = I420Frame(width: width, height: height)
        let sources = [image.planes.0, image.planes.1, image.planes.2]
        let strides = [Int(image.stride.0), Int(image.stride.1), Int(image.stride.2)]
        let offsets = [0, frame.uOffset, frame.vOffset]
        frame.planes.withUnsafeMutableBufferPointer { destination in
            for plane in 0 ..< 3 {
                guard let source = sources[plane] else { continue }
                let planeWidth = plane == 0 ? width : width / 2
                let planeHeight = plane == 0 ? height : height / 2
                for row in 0 ..< planeHeight {
                    let target = destination.baseAddress! + offsets[plane] + row * planeWidth
                    target.update(from: source + row * strides[plane], count: planeWidth)
                }
            }
        }
        return frame
    }
}
