import COpus

/// The audio format of Parley calls: 48 kHz mono, 20 ms frames of 16-bit samples.
public enum VoiceFormat {
    public static let sampleRate = 48000
    public static let channels = 1
    public static let samplesPerFrame = 960
}

/// Encoder settings for `OpusAudioEncoder`.
public struct OpusEncoderSettings: Equatable, Sendable {
    /// Target bit rate in bits per second (16 000...64 000).
    public var bitrate: Int
    /// Expected packet loss in percent (0...100); sizes the in-band FEC.
    public var packetLossPercentage: Int
    /// Discontinuous transmission: silent frames are not sent.
    public var discontinuousTransmission: Bool
    /// 0...10 (10 = best quality, most CPU).
    public var complexity: Int

    public static let bitrateRange = 16_000 ... 64_000

    public init(bitrate: Int = 32_000, packetLossPercentage: Int = 10, discontinuousTransmission: Bool = false, complexity: Int = 10) {
        self.bitrate = bitrate
        self.packetLossPercentage = packetLossPercentage
        self.discontinuousTransmission = discontinuousTransmission
        self.complexity = complexity
    }
}

/// libopus encoder for voice: VOIP application, constrained VBR, one 20 ms mono frame at
/// a time. The signal type is left to libopus, which codes speech in its SILK or hybrid
/// modes and tones or music in CELT (WebRTC and baresip leave it too: forcing "voice"
/// coded a tone in hybrid mode at nearly three times the CPU). In-band FEC is on while
/// `packetLossPercentage` is above zero; at 10 % and more libopus then keeps to the modes
/// that carry it.
public final class OpusAudioEncoder {
    private let encoder: OpaquePointer
    public private(set) var settings: OpusEncoderSettings
    /// Samples the decoded signal lags behind the input (the encoder's look-ahead).
    public let lookahead: Int

    public init(settings: OpusEncoderSettings = OpusEncoderSettings()) throws(CodecError) {
        var status: Int32 = 0
        guard let encoder = opus_encoder_create(
            Int32(VoiceFormat.sampleRate), Int32(VoiceFormat.channels), parley_opus_application_voip(), &status),
            status == OPUS_OK
        else { throw Self.failure("create", status) }
        var lookahead: Int32 = 0
        do {
            try Self.check("get look-ahead", parley_opus_get_lookahead(encoder, &lookahead))
            try Self.check("constrain VBR", parley_opus_set_vbr_constraint(encoder, 1))
            try Self.configure(encoder, settings)
        } catch {
            opus_encoder_destroy(encoder)   // self is not initialised yet: deinit will not run
            throw error
        }
        self.encoder = encoder
        self.settings = settings
        self.lookahead = Int(lookahead)
    }

    deinit { opus_encoder_destroy(encoder) }

    /// Changes bit rate, loss percentage (e.g. from receiver reports), DTX and complexity.
    public func apply(_ settings: OpusEncoderSettings) throws(CodecError) {
        try Self.configure(encoder, settings)
        self.settings = settings
    }

    private static func configure(_ encoder: OpaquePointer, _ settings: OpusEncoderSettings) throws(CodecError) {
        try requireSetting("bitrate", settings.bitrate, in: OpusEncoderSettings.bitrateRange)
        try requireSetting("packetLossPercentage", settings.packetLossPercentage, in: 0 ... 100)
        try requireSetting("complexity", settings.complexity, in: 0 ... 10)
        try check("set bitrate", parley_opus_set_bitrate(encoder, Int32(settings.bitrate)))
        try check("set packet loss", parley_opus_set_packet_loss_perc(encoder, Int32(settings.packetLossPercentage)))
        // FEC switched on costs CPU even on a clean path (libopus analyses for it), so it follows the loss.
        try check("set FEC", parley_opus_set_inband_fec(encoder, settings.packetLossPercentage > 0 ? 1 : 0))
        try check("set DTX", parley_opus_set_dtx(encoder, settings.discontinuousTransmission ? 1 : 0))
        try check("set complexity", parley_opus_set_complexity(encoder, Int32(settings.complexity)))
    }

    /// Encodes one 20 ms frame (960 samples). Returns nil when DTX decided the frame
    /// need not be sent.
    public func encode(_ samples: [Int16]) throws(CodecError) -> [UInt8]? {
        guard samples.count == VoiceFormat.samplesPerFrame else {
            throw .wrongFrameSize(expected: VoiceFormat.samplesPerFrame, actual: samples.count)
        }
        var packet = [UInt8](repeating: 0, count: 1500)
        let length = samples.withUnsafeBufferPointer { input in
            packet.withUnsafeMutableBufferPointer { output in
                opus_encode(encoder, input.baseAddress!, Int32(VoiceFormat.samplesPerFrame), output.baseAddress!, Int32(output.count))
            }
        }
        guard length >= 0 else { throw Self.failure("encode", length) }
        if settings.discontinuousTransmission && length <= 2 { return nil }
        packet.removeSubrange(Int(length)...)
        return packet
    }

    static func check(_ operation: String, _ status: Int32) throws(CodecError) {
        guard status == OPUS_OK else { throw failure(operation, status) }
    }

    static func failure(_ operation: String, _ status: Int32) -> CodecError {
        .libraryFailure(library: "libopus", operation: operation, message: String(cString: opus_strerror(status)))
    }
}
