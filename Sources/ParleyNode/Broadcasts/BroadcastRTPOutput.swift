import Foundation
import NIOCore
import ParleyMedia
import ParleyStream

/// The broadcast's copy for a media server (`parley broadcast start --rtp HOST:PORT`):
/// every RTP packet as it was encoded, in the clear (no SRTP: the server is the user's own
/// and serves an audience of its own), audio to PORT and video to PORT + 2 (as ffmpeg lays
/// out RTP outputs), with the SDP that describes them. RTCP is not sent (a plain RTP
/// mountpoint does not take it on the media ports); the video carries a keyframe every
/// 2 s for viewers that join there.
final class BroadcastRTPOutput: MediaTransport, Sendable {
    let destination: StreamDestination
    private let audio: UDPMediaTransport
    private let video: UDPMediaTransport

    private init(destination: StreamDestination, audio: UDPMediaTransport, video: UDPMediaTransport) {
        self.destination = destination
        self.audio = audio
        self.video = video
    }

    /// Binds two UDP sockets (any free port) aimed at the destination's two ports.
    static func open(_ destination: StreamDestination) async throws -> BroadcastRTPOutput {
        let local = destination.host.contains(":") ? "::" : "0.0.0.0"
        let audio = try await UDPMediaTransport.bind(host: local, port: 0)
        let video = try await UDPMediaTransport.bind(host: local, port: 0)
        do {
            audio.remote = try .makeAddressResolvingHost(destination.host, port: destination.port)
            video.remote = try .makeAddressResolvingHost(destination.host, port: destination.port + 2)
        } catch {
            try? await audio.close()
            try? await video.close()
            throw CallError.badDevice("--rtp \(destination.host):\(destination.port): the host cannot be resolved (\(error))")
        }
        return BroadcastRTPOutput(destination: destination, audio: audio, video: video)
    }

    /// The SDP of the stream (for the media server, or ffmpeg/ffplay).
    func sessionDescription(audio hasAudio: Bool, video hasVideo: Bool) -> String {
        var media: [MediaDescription] = []
        if hasAudio { media.append(.opus(port: destination.port)) }
        if hasVideo { media.append(.vp8(port: destination.port + 2)) }
        return SessionDescription(sessionName: "Parley broadcast", connectionAddress: destination.host, media: media).text
    }

    /// One packet of the broadcast: RTP goes to its kind's port; RTCP stays here.
    func send(_ datagram: [UInt8]) {
        guard MultiplexedPacketKind.classify(datagram) == .rtp, datagram.count >= RTPPacket.minimumSize else { return }
        let payloadType = datagram[1] & 0x7F
        if payloadType == MediaDescription.vp8PayloadType { video.send(datagram) } else { audio.send(datagram) }
    }

    func close() async {
        try? await audio.close()
        try? await video.close()
    }
}
