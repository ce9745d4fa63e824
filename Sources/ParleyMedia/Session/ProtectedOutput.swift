/// Everything a call sends goes through here: one outbound SRTP session under the plan's
/// `sendKey` (libsrtp keeps a context per SSRC inside it) protects RTP and RTCP of both
/// kinds, then the one transport carries them (rtcp-mux). The media threads share it, so
/// protection is serialized by a lock; transports never block, so sending happens under
/// it too, which keeps each SSRC's SRTP index in sending order.
final class ProtectedOutput: @unchecked Sendable {
    private let session: SRTPSession
    private let transport: any MediaTransport
    private let state = Locked<(failures: Int64, lastControl: UInt64?)>((0, nil))
    private let lock = Locked<Void>(())

    init(key: SRTPKeyingMaterial, transport: any MediaTransport) throws(SRTPError) {
        session = try SRTPSession(keying: key, direction: .outbound)
        self.transport = transport
    }

    /// Protects and sends one plain RTP packet or compound RTCP packet.
    func send(_ plain: [UInt8], nowNanoseconds now: UInt64) {
        guard let kind = MultiplexedPacketKind.classify(plain) else {
            state.withLock { $0.failures += 1 }
            return
        }
        let sent: Bool = lock.withLock { _ in
            guard let protected = try? (kind == .rtp ? session.protect(plain) : session.protectRTCP(plain)) else { return false }
            transport.send(protected)
            return true
        }
        state.withLock { state in
            if !sent { state.failures += 1 }
            if sent && kind == .rtcp { state.lastControl = now }
        }
    }

    var failures: Int64 { state.withLock { $0.failures } }
    /// When RTCP last went out (for the keep-alive report).
    var lastControlNanoseconds: UInt64? { state.withLock { $0.lastControl } }
}
