import CVPX

/// Encoder settings for `VP8VideoEncoder`.
public struct VP8EncoderSettings: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Target bit rate in bits per second.
    public var bitrate: Int
    public var frameRate: Int
    /// Encoder threads (1...16).
    public var threads: Int
    /// libvpx speed: negative fixes the speed (−16 fastest … −1), positive is a time budget.
    public var cpuUsed: Int
    /// Longest distance between keyframes, in frames.
    public var maximumKeyframeInterval: Int

    public init(
        width: Int, height: Int, bitrate: Int = 800_000, frameRate: Int = 30, threads: Int = 1, cpuUsed: Int = -8,
        maximumKeyframeInterval: Int = 3000
    ) {
        self.width = width
        self.height = height
        self.bitrate = bitrate
        self.frameRate = frameRate
        self.threads = threads
        self.cpuUsed = cpuUsed
        self.maximumKeyframeInterval = maximumKeyframeInterval
    }
}

/// One encoded VP8 frame.
public struct VP8EncodedFrame: Equatable, Sendable {
    public var data: [UInt8]
    public var isKeyframe: Bool
    /// Presentation time in 90 kHz units (the RTP clock).
    public var timestamp: Int64
}

/// libvpx VP8 encoder for calls: real-time deadline, error resilient, no look-ahead
/// (lag 0), constant bit rate, keyframes on request (answering RTCP PLI).
public final class VP8VideoEncoder {
    public static let clockRate = 90000
    public private(set) var settings: VP8EncoderSettings
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>
    private var config: vpx_codec_enc_cfg_t
    private var image = vpx_image_t()
    private var keyframeRequested = false
    /// The quantizer VP8 chose for the last frame it made, 0…63 (2 finest … 56 coarsest
    /// as configured): how hard the picture is to fit in the target rate.
    public private(set) var lastQuantizer: Int?

    public init(settings: VP8EncoderSettings) throws(CodecError) {
        try requireSetting("width", settings.width, in: I420Frame.dimensionRange)
        try requireSetting("height", settings.height, in: I420Frame.dimensionRange)
        try requireSetting("width % 2", settings.width % 2, in: 0 ... 0)
        try requireSetting("height % 2", settings.height % 2, in: 0 ... 0)
        try requireSetting("bitrate", settings.bitrate, in: 50_000 ... 20_000_000)
        try requireSetting("frameRate", settings.frameRate, in: 1 ... 120)
        try requireSetting("threads", settings.threads, in: 1 ... 16)
        try requireSetting("cpuUsed", settings.cpuUsed, in: -16 ... 16)
        var config = vpx_codec_enc_cfg_t()
        guard parley_vpx_config_default(&config) == VPX_CODEC_OK else {
            throw .libraryFailure(library: "libvpx", operation: "default configuration", message: "VP8 encoder not available")
        }
        config.g_w = UInt32(settings.width)
        config.g_h = UInt32(settings.height)
        config.g_timebase = vpx_rational(num: 1, den: Int32(Self.clockRate))
        config.g_threads = UInt32(settings.threads)
        config.g_lag_in_frames = 0
        config.g_error_resilient = vpx_codec_er_flags_t(VPX_ERROR_RESILIENT_DEFAULT)
        config.g_pass = VPX_RC_ONE_PASS
        config.rc_end_usage = VPX_CBR
        config.rc_target_bitrate = UInt32(settings.bitrate / 1000)
        config.rc_min_quantizer = 2
        config.rc_max_quantizer = 56
        config.rc_undershoot_pct = 100
        config.rc_overshoot_pct = 15
        config.rc_buf_initial_sz = 500
        config.rc_buf_optimal_sz = 600
        config.rc_buf_sz = 1000
        // VP8 drops a frame when its buffer model falls below 30 % of the optimal level: a
        // picture that costs more than the target even at the coarsest quantizer (grain, a
        // busy scene on a narrow path) then keeps to the target at a lower frame rate instead
        // of overshooting it and filling the bottleneck's queue (WebRTC uses the same 30).
        config.rc_dropframe_thresh = 30
        config.kf_mode = VPX_KF_AUTO
        config.kf_max_dist = UInt32(settings.maximumKeyframeInterval)
        // Until every stored property is set a throw does not run deinit: clean up here.
        let context = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
        let status = parley_vpx_enc_init(context, &config)
        guard status == VPX_CODEC_OK else {
            let error = Self.failure("initialise encoder", context)
            context.deallocate()
            throw error
        }
        self.context = context
        self.settings = settings
        self.config = config
        _ = parley_vpx_set_cpu_used(context, Int32(settings.cpuUsed))
        _ = parley_vpx_set_static_threshold(context, 1)
        _ = parley_vpx_set_noise_sensitivity(context, 0)
        _ = parley_vpx_set_max_intra_bitrate_pct(context, 300)
    }

    deinit {
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Changes the target bit rate (50 kb/s…20 Mb/s) from the next frame on, as the
    /// bandwidth estimate moves.
    public func setBitrate(_ bitrate: Int) throws(CodecError) {
        try requireSetting("bitrate", bitrate, in: 50_000 ... 20_000_000)
        guard bitrate / 1000 != Int(config.rc_target_bitrate) else { return }
        config.rc_target_bitrate = UInt32(bitrate / 1000)
        guard vpx_codec_enc_config_set(context, &config) == VPX_CODEC_OK else { throw Self.failure("set the bit rate", context) }
        settings.bitrate = bitrate
    }

    /// Makes the next encoded frame a keyframe (e.g. on RTCP PLI).
    public func requestKeyframe() {
        keyframeRequested = true
    }

    /// Encodes one frame with presentation time `timestamp` (90 kHz). With lag 0 each
    /// call returns the frame just given, or an empty list when libvpx dropped it to keep
    /// to the target bit rate.
    public func encode(_ frame: I420Frame, timestamp: Int64) throws(CodecError) -> [VP8EncodedFrame] {
        guard frame.width == settings.width, frame.height == settings.height else {
            throw .wrongFrameSize(expected: I420Frame.byteCount(width: settings.width, height: settings.height), actual: frame.planes.count)
        }
        let flags: vpx_enc_frame_flags_t = keyframeRequested ? parley_vpx_eflag_force_kf() : 0
        let duration = UInt(Self.clockRate / settings.frameRate)
        var planes = frame.planes
        let status = planes.withUnsafeMutableBufferPointer { buffer in
            vpx_img_wrap(&image, VPX_IMG_FMT_I420, UInt32(frame.width), UInt32(frame.height), 1, buffer.baseAddress)
            return vpx_codec_encode(context, &image, vpx_codec_pts_t(timestamp), duration, flags, parley_vpx_dl_realtime())
        }
        guard status == VPX_CODEC_OK else { throw Self.failure("encode", context) }
        var output: [VP8EncodedFrame] = []
        var iterator: vpx_codec_iter_t?
        while let packet = vpx_codec_get_cx_data(context, &iterator) {
            guard packet.pointee.kind == VPX_CODEC_CX_FRAME_PKT else { continue }
            let frameData = packet.pointee.data.frame
            let bytes = UnsafeRawBufferPointer(start: frameData.buf, count: frameData.sz)
            let isKeyframe = frameData.flags & parley_vpx_frame_is_key() != 0
            if isKeyframe { keyframeRequested = false }   // a dropped frame leaves the request standing
            output.append(VP8EncodedFrame(data: Array(bytes), isKeyframe: isKeyframe, timestamp: Int64(frameData.pts)))
        }
        if !output.isEmpty {
            var quantizer: Int32 = 0
            lastQuantizer = parley_vpx_get_last_quantizer_64(context, &quantizer) == VPX_CODEC_OK ? Int(quantizer) : nil
        }
        return output
    }

    static func failure(_ operation: String, _ context: UnsafeMutablePointer<vpx_codec_ctx_t>) -> CodecError {
        var message = String(cString: vpx_codec_error(context))
        if let detail = vpx_codec_error_detail(context) { message += ": " + String(cString: detail) }
        return .libraryFailure(library: "libvpx", operation: operation, message: message)
    }
}
