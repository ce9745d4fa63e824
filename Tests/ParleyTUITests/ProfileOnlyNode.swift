import Foundation
import ParleyCore
@testable import ParleyNode

/// A node API over a real profile on disk that runs no node: enough for building screens
/// in unit tests. Every operation that needs a running node says so.
final class ProfileOnlyNode: NodeAPI, @unchecked Sendable {
    let profile: Profile
    let listenAddress = PeerAddress(host: "0.0.0.0")
    var isAttached: Bool { false }
    var callVideo: CallVideoFeed? { nil }
    private let folder: URL

    struct NotRunning: Error {}

    init() throws {
        folder = FileManager.default.temporaryDirectory.appending(path: "parley-screen-\(UUID().uuidString)")
        profile = try Profile.open(try ProfilePaths.resolve(home: folder.path, profile: nil))
    }

    func removeFolder() { try? FileManager.default.removeItem(at: folder) }

    func eventStream() -> AsyncStream<NodeEvent> { AsyncStream { $0.finish() } }
    func sendMessage(_ text: String, to reference: String) throws { throw NotRunning() }
    func typing(_ active: Bool, to reference: String) async throws {}
    func markConversationRead(_ reference: String) async throws {}
    func contactsChanged() async {}
    func status() async throws -> NodeStatus { throw NotRunning() }
    func transfersWithRates() throws -> [(transfer: Transfer, rate: Double?)] { [] }
    func offerFile(path: String, to reference: String, as name: String?) async throws -> Transfer { throw NotRunning() }
    func acceptTransfer(_ id: String, into directory: String?) async throws -> Transfer { throw NotRunning() }
    func rejectTransfer(_ id: String) async throws -> Transfer { throw NotRunning() }
    func cancelTransfer(_ id: String) async throws -> Transfer { throw NotRunning() }
    func pauseTransfer(_ id: String) async throws -> Transfer { throw NotRunning() }
    func resumeTransfer(_ id: String) async throws -> Transfer { throw NotRunning() }
    func startCall(to reference: String, video: Bool, devices: CallDevices, timeoutSeconds: Int?) async throws -> CallStatus { throw NotRunning() }
    func acceptCall(_ call: String?, audioOnly: Bool, devices: CallDevices) async throws -> CallStatus { throw NotRunning() }
    func rejectCall(_ call: String?) async throws -> CallStatus { throw NotRunning() }
    func hangUp(_ call: String?) async throws -> CallStatus { throw NotRunning() }
    func inviteToCall(_ call: String?, contact reference: String, timeoutSeconds: Int?) async throws -> CallStatus { throw NotRunning() }
    func setCallMedia(_ call: String?, audio: Bool, video: Bool, out: Bool, in: Bool, on: Bool) async throws -> CallStatus { throw NotRunning() }
    func ongoingCall() async -> CallStatus? { nil }
    func startBroadcast(to references: [String]?, devices: CallDevices) async throws -> BroadcastStatus { throw NotRunning() }
    func stopBroadcast() async throws -> BroadcastStatus { throw NotRunning() }
    func broadcastStatus() async throws -> BroadcastStatus { throw NotRunning() }
    func broadcastOffers() async -> [BroadcastOffer] { [] }
    func watchBroadcast(of reference: String, devices: CallDevices) async throws -> CallStatus { throw NotRunning() }
}
