import COpus

/// libopus decoder for 48 kHz mono with packet loss concealment (PLC) and recovery of
/// a lost frame from the in-band FEC of the packet after it.
public final class OpusAudioDecoder {
    private let decoder: OpaquePointer

    public init() throws(CodecError) {
        var status: Int32 = 0
        guard let decoder = opus_decoder_create(Int32(VoiceFormat.sampleRate), Int32(VoiceFormat.channels), &status),
              status == OPUS_OK
        else { throw OpusAudioEncoder.failure("create decoder", status) }
        self.decoder = decoder
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Decodes one received packet into its samples (960 for a 20 ms packet).
    public func decode(_ packet: [UInt8]) throws(CodecError) -> [Int16] {
        try run("decode", packet: packet, sampleCount: 5760, fec: false)
    }

    /// Samples that stand in for a lost frame (PLC), `sampleCount` long (a multiple of 2.5 ms).
    public func concealLoss(sampleCount: Int = VoiceFormat.samplesPerFrame) throws(CodecError) -> [Int16] {
        try run("conceal loss", packet: nil, sampleCount: sampleCount, fec: false)
    }

    /// Recovers the lost frame before `nextPacket` from its in-band FEC data (falls back
    /// to PLC inside libopus when the packet carries none). Decode `nextPacket` itself after.
    public func recoverLoss(from nextPacket: [UInt8], sampleCount: Int = VoiceFormat.samplesPerFrame) throws(CodecError) -> [Int16] {
        try run("decode FEC", packet: nextPacket, sampleCount: sampleCount, fec: true)
    }

    private func run(_ operation: String, packet: [UInt8]?, sampleCount: Int, fec: Bool) throws(CodecError) -> [Int16] {
        try requireSetting("sampleCount", sampleCount, in: 120 ... 5760)
        var samples = [Int16](repeating: 0, count: sampleCount)
        let decoded = samples.withUnsafeMutableBufferPointer { output in
            if let packet {
                return packet.withUnsafeBufferPointer { input in
                    opus_decode(decoder, input.baseAddress, Int32(clamping: input.count), output.baseAddress!, Int32(sampleCount), fec ? 1 : 0)
                }
            }
            return opus_decode(decoder, nil, 0, output.baseAddress!, Int32(sampleCount), 0)
        }
        guard decoded >= 0 else { throw OpusAudioEncoder.failure(operation, decoded) }
        samples.removeSubrange(Int(decoded)...)
        return samples
    }
}
