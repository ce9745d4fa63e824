import Foundation
import ParleyCore

/// What the terminal UI does with a node, whether the node runs in this process (``Node``)
/// or in another one it attached to through the control socket (``AttachedNode``): one API,
/// so the UI has one code path. The profile's files (contacts, history, transfers) are read
/// directly in both cases; everything that needs the running node goes through here.
public protocol NodeAPI: AnyObject, Sendable {
    /// The profile the node runs (opened in this process too).
    var profile: Profile { get }
    /// Where peers reach the node.
    var listenAddress: PeerAddress { get }
    /// Whether the node runs in another process (closing the UI leaves it running).
    var isAttached: Bool { get }
    /// The call's pictures for a viewer in this process; nil when they cannot be had here.
    var callVideo: CallVideoFeed? { get }

    /// Every event from now on.
    func eventStream() -> AsyncStream<NodeEvent>

    /// Stores a message as queued and sends it (blocking briefly when attached).
    func sendMessage(_ text: String, to reference: String) throws
    func typing(_ active: Bool, to reference: String) async throws
    func markConversationRead(_ reference: String) async throws
    /// Contacts changed in the database: the node re-reads them.
    func contactsChanged() async
    func status() async throws -> NodeStatus

    /// Transfers, newest first, with the rate of those running (bytes per second).
    func transfersWithRates() throws -> [(transfer: Transfer, rate: Double?)]
    func offerFile(path: String, to reference: String, as name: String?) async throws -> Transfer
    func acceptTransfer(_ id: String, into directory: String?) async throws -> Transfer
    func rejectTransfer(_ id: String) async throws -> Transfer
    func cancelTransfer(_ id: String) async throws -> Transfer
    func pauseTransfer(_ id: String) async throws -> Transfer
    func resumeTransfer(_ id: String) async throws -> Transfer

    func startCall(to reference: String, video: Bool, devices: CallDevices, timeoutSeconds: Int?) async throws -> CallStatus
    func acceptCall(_ call: String?, audioOnly: Bool, devices: CallDevices) async throws -> CallStatus
    func rejectCall(_ call: String?) async throws -> CallStatus
    func hangUp(_ call: String?) async throws -> CallStatus
    func inviteToCall(_ call: String?, contact reference: String, timeoutSeconds: Int?) async throws -> CallStatus
    func setCallMedia(_ call: String?, audio: Bool, video: Bool, out: Bool, in: Bool, on: Bool) async throws -> CallStatus
    func ongoingCall() async -> CallStatus?

    /// Broadcasts: ours (to the contacts named, nil: every contact), and watching a contact's.
    func startBroadcast(to references: [String]?, devices: CallDevices) async throws -> BroadcastStatus
    func stopBroadcast() async throws -> BroadcastStatus
    func broadcastStatus() async throws -> BroadcastStatus
    func broadcastOffers() async -> [BroadcastOffer]
    func watchBroadcast(of reference: String, devices: CallDevices) async throws -> CallStatus
}

extension Node: NodeAPI {
    public var isAttached: Bool { false }

    public var callVideo: CallVideoFeed? { calls.videoFeed }

    public func eventStream() -> AsyncStream<NodeEvent> {
        let published = events.subscribe()
        return AsyncStream { continuation in
            let forward = Task {
                for await item in published { continuation.yield(item.event) }
                continuation.finish()
            }
            continuation.onTermination = { _ in forward.cancel() }
        }
    }

    public func sendMessage(_ text: String, to reference: String) throws { _ = try send(text, to: reference) }

    public func markConversationRead(_ reference: String) async throws { _ = try await markRead(reference) }

    public func transfersWithRates() throws -> [(transfer: Transfer, rate: Double?)] {
        try transferList().map { ($0, info($0).rate) }
    }
}
