import NIOCore
import ParleyCore
import ParleyNet
import ParleyWire

/// One established, registered link to a contact: what other parts of the
/// node use to send on it, wake its sender, or close it.
final class PeerSession: Sendable {
    let peerID: ContactID
    /// Who opened the TCP connection (decides which of two simultaneous links survives).
    let initiator: ContactID
    let direction: LinkDirection
    let establishedAt: ContinuousClock.Instant
    let remoteAddress: SocketAddress?
    private let outbound: NIOAsyncChannelOutboundWriter<WireMessage>
    private let channel: any Channel
    /// Signalled when the outbox for this contact may have new messages.
    let outboxWakeup = Wakeup()

    /// What the peer said it supports in its HELLO.
    let capabilities: Set<String>

    init(peerID: ContactID, initiator: ContactID, direction: LinkDirection, remoteAddress: SocketAddress?,
         capabilities: Set<String>, outbound: NIOAsyncChannelOutboundWriter<WireMessage>, channel: any Channel) {
        self.capabilities = capabilities
        self.peerID = peerID
        self.initiator = initiator
        self.direction = direction
        self.establishedAt = .now
        self.remoteAddress = remoteAddress
        self.outbound = outbound
        self.channel = channel
    }

    /// Our end of the link (its address is where the peer already reaches us).
    var localAddress: SocketAddress? { channel.localAddress }

    /// Whether the peer takes calls (advertised `"call"` in its HELLO).
    var takesCalls: Bool { capabilities.contains(Hello.Capability.call) }

    /// Whether the peer transfers files (advertised `"file"` in its HELLO).
    var acceptsFiles: Bool { capabilities.contains(Hello.Capability.file) }

    func send(_ message: WireMessage) async throws {
        try await outbound.write(message)
    }

    func send(contentsOf messages: [WireMessage]) async throws {
        try await outbound.write(contentsOf: messages)
    }

    /// Closes the link without a word: for a link that cannot carry one any more (the local
    /// address it used is gone).
    func drop() {
        channel.close(promise: nil)
    }

    /// Says why (giving up after a second if the peer does not read), then closes the link.
    func close(_ code: CloseCode, reason: String) async {
        let outbound = outbound
        let goodbye = Task {
            try? await outbound.write(.close(CloseReason(code: code, reason: CloseReason.fitting(reason))))
        }
        let deadline = Task {
            try await Task.sleep(for: .seconds(1))
            goodbye.cancel()
        }
        await goodbye.value
        deadline.cancel()
        try? await channel.close()
    }
}
