import CVPX

/// libvpx VP8 decoder: complete frames in, I420 frames out.
public final class VP8VideoDecoder {
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>

    public init(threads: Int = 1) throws(CodecError) {
        try requireSetting("threads", threads, in: 1 ... 16)
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
        let status = data.withUnsafeBufferPointer { buffer in
            vpx_codec_decode(context, buffer.baseAddress, UInt32(buffer.count), nil, 0)
        }
        guard status == VPX_CODEC_OK else { throw VP8VideoEncoder.failure("decode", context) }
        var frames: [I420Frame] = []
        var iterator: vpx_codec_iter_t?
        while let image = vpx_codec_get_frame(context, &iterator) {
            frames.append(Self.copy(image.pointee))
        }
        return frames
    }

    private static func copy(_ image: vpx_image_t) -> I420Frame {
        let width = Int(image.d_w) & ~1
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
