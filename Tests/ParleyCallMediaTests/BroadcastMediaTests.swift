import Foundation
import ParleyMedia
import Synchronization
import Testing

/// The broadcast's media on its own: one ``BroadcastSender`` and viewers that are plain
/// receive-only ``CallMediaSession``s, connected without sockets.
@Suite("Broadcast media", .serialized)
struct BroadcastMediaTests {
    /// Datagrams from the broadcaster to one viewer's session.
    final class ToViewer: MediaTransport {
        let session = Mutex<CallMediaSession?>(nil)
        let count = Mutex(0)
        /// The sequence number of the last VP8 packet (RTP headers are in the clear in SRTP).
        let lastVideoSequence = Mutex<UInt16?>(nil)
        func send(_ datagram: [UInt8]) {
            count.withLock { $0 += 1 }
            if datagram.count > 12, datagram[0] >> 6 == 2, datagram[1] & 0x7F == 96 {
                lastVideoSequence.withLock { $0 = UInt16(datagram[2]) << 8 | UInt16(datagram[3]) }
            }
            session.withLock { $0 }?.receive(datagram)
        }
    }

    /// Datagrams from a viewer's session back to the broadcaster.
    final class ToBroadcaster: MediaTransport {
        let viewer = Mutex<BroadcastViewer?>(nil)
        func send(_ datagram: [UInt8]) { viewer.withLock { $0 }?.receive(datagram, onAuthenticated: nil) }
    }

    struct Viewer {
        let session: CallMediaSession
        let pictures: CountingVideoSink
        let handle: BroadcastViewer
        let toViewer: ToViewer
    }

    /// A viewer with keys of its own, watching `sender`.
    static func watch(_ sender: BroadcastSender) throws -> Viewer {
        let broadcasterKey = SRTPKeyingMaterial.random(), viewerKey = SRTPKeyingMaterial.random()
        let plan = CallMediaPlan(
            audio: .init(send: false, receive: true), video: .init(send: false, receive: true),
            localAudioSSRC: .random(in: 1 ... .max), localVideoSSRC: .random(in: 1 ... .max),
            remoteAudioSSRC: sender.audioSSRC, remoteVideoSSRC: sender.videoSSRC, sendKey: viewerKey, receiveKey: broadcasterKey)
        let toViewer = ToViewer(), toBroadcaster = ToBroadcaster()
        let pictures = CountingVideoSink()
        let session = try CallMediaSession(plan: plan, audioSource: nil, audioSink: nil, videoSource: nil, videoSink: pictures,
                                           transport: toBroadcaster, voiceProcessing: false, onDeviceError: { _ in })
        toViewer.session.withLock { $0 = session }
        let handle = try sender.addViewer(sendKey: broadcasterKey, receiveKey: viewerKey, transport: toViewer)
        toBroadcaster.viewer.withLock { $0 = handle }
        session.start()
        return Viewer(session: session, pictures: pictures, handle: handle, toViewer: toViewer)
    }

    @Test("Encoded once, protected per viewer: each viewer decodes with its own key; a late one gets a keyframe at once; one leaving changes nothing for the other",
          .timeLimit(.minutes(1)))
    func encodedOnceProtectedPerViewer() async throws {
        let sender = try BroadcastSender(
            audioSource: FailingMicrophone(frames: 500), videoSource: TestPatternSource(width: 160, height: 128, frameRate: 15),
            audioBitrate: 32_000, videoBitrate: 300_000, frameRate: 15, onDeviceError: { _ in })
        sender.start()
        defer { sender.stopSending() }
        let first = try Self.watch(sender)
        defer { first.session.stop() }
        try await Task.sleep(for: .seconds(1.5))
        #expect(first.pictures.frames >= 10, "the first viewer decodes: \(first.pictures.frames) frames")
        // A second viewer, with keys of its own: pictures within a second (a keyframe on joining).
        let second = try Self.watch(sender)
        defer { second.session.stop() }
        try await Task.sleep(for: .seconds(1))
        #expect(second.pictures.frames >= 5, "the late viewer decodes at once: \(second.pictures.frames) frames")
        #expect(sender.viewerCount == 2)
        // The second viewer's key does not open the first one's packets.
        let firstRejected = first.session.statistics().datagramsRejected
        #expect(firstRejected == 0)
        // The first leaves; the second goes on.
        first.handle.leave()
        let sentToFirst = first.toViewer.count.withLock { $0 }
        let framesBefore = second.pictures.frames
        try await Task.sleep(for: .seconds(1))
        #expect(first.toViewer.count.withLock { $0 } == sentToFirst, "nothing more to a viewer that left")
        #expect(second.pictures.frames - framesBefore >= 10)
        #expect(first.session.statistics().received[.video]?.byeReceived == true, "the viewer that left got a goodbye")
        let statistics = second.handle.statistics()
        #expect((statistics.sent[.video]?.packetsSent ?? 0) > 0)
        #expect(statistics.sent[.video]?.roundTripMilliseconds != nil || statistics.sent[.audio]?.roundTripMilliseconds != nil,
                "the viewer's reports came back: \(statistics)")
    }

    @Test("Two viewers that lost the same packet both get it again (each viewer's own resend spacing and budget)",
          .timeLimit(.minutes(1)))
    func eachViewerIsRepaired() async throws {
        let sender = try BroadcastSender(
            audioSource: nil, videoSource: TestPatternSource(width: 160, height: 128, frameRate: 30),
            audioBitrate: 32_000, videoBitrate: 300_000, frameRate: 30, onDeviceError: { _ in })
        sender.start()
        defer { sender.stopSending() }
        let viewers = [try Self.watch(sender), try Self.watch(sender)]
        defer { viewers.forEach { $0.session.stop() } }
        try await Task.sleep(for: .milliseconds(500))
        let sequence = try #require(viewers[0].toViewer.lastVideoSequence.withLock { $0 })
        let nack = try RTCPPacket.serializeCompound([.negativeAcknowledgement(
            RTCPGenericNACK(senderSSRC: 1, mediaSSRC: sender.videoSSRC, sequenceNumbers: [sequence]))])
        for viewer in viewers {
            let protector = try SRTPSession(keying: viewer.session.plan.sendKey, direction: .outbound)
            viewer.handle.receive(try protector.protectRTCP(nack), onAuthenticated: nil)
        }
        for (index, viewer) in viewers.enumerated() {
            let resent = viewer.handle.statistics().sent[.video]?.packetsRetransmitted ?? 0
            #expect(resent == 1, "viewer \(index) got packet \(sequence) again: \(resent)")
        }
    }

    @Test("A viewer asking for keyframes all the time gets at most one every 300 ms", .timeLimit(.minutes(1)))
    func keyframeRequestsAreSpaced() async throws {
        let sender = try BroadcastSender(
            audioSource: nil, videoSource: TestPatternSource(width: 160, height: 128, frameRate: 30),
            audioBitrate: 32_000, videoBitrate: 300_000, frameRate: 30, onDeviceError: { _ in })
        sender.start()
        defer { sender.stopSending() }
        let viewer = try Self.watch(sender)
        defer { viewer.session.stop() }
        try await Task.sleep(for: .milliseconds(500))
        let before = sender.statistics().video?.keyframesSent ?? 0
        // A PLI every 10 ms for 1.5 s, protected with the viewer's key as its own RTCP would be.
        let pli = try RTCPPacket.serializeCompound([.pictureLossIndication(RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: sender.videoSSRC))])
        let protector = try SRTPSession(keying: viewer.session.plan.sendKey, direction: .outbound)
        for _ in 0 ..< 150 {
            viewer.handle.receive(try protector.protectRTCP(pli), onAuthenticated: nil)
            try await Task.sleep(for: .milliseconds(10))
        }
        let keyframes = (sender.statistics().video?.keyframesSent ?? 0) - before
        print("150 PLIs in 1.5 s: \(keyframes) keyframes")
        #expect(keyframes >= 2 && keyframes <= 7)
    }
}
