import Dispatch
import Foundation
import NIOConcurrencyHelpers
import ParleyCore

/// A node running in another process (`parley daemon`), reached through its control socket:
/// what the terminal UI uses when it attaches. Requests go one at a time over one connection
/// on a queue of their own (never on Swift's cooperative pool); events arrive over a second
/// connection read by a thread of its own.
public final class AttachedNode: NodeAPI, @unchecked Sendable {
    public let profile: Profile
    public let listenAddress: PeerAddress
    public var isAttached: Bool { true }
    /// The call's pictures, as the node sends them (scaled down for a terminal).
    public var callVideo: CallVideoFeed? { video }
    private let video = CallVideoFeed()

    private let socketPath: String
    private let client: ControlClient
    private let queue = DispatchQueue(label: "parley.attached-node")

    /// Connects to the node running `profile`; throws ``ControlClientError/noNode`` when none runs.
    public init(profile: Profile) throws {
        self.profile = profile
        socketPath = profile.paths.controlSocket.path
        client = try ControlClient(path: socketPath)
        let answer = try client.request(ControlRequest(command: "status"))
        guard answer.ok, let status = answer.status else {
            throw ControlClientError.failed(answer.error ?? "the node did not say its status")
        }
        listenAddress = (try? PeerAddress(parsing: status.listen)) ?? PeerAddress(host: "0.0.0.0")
        startVideo()
    }

    /// Reads the call's pictures from the node on a thread of its own, for the life of the process.
    private func startVideo() {
        let path = socketPath, feed = video
        let thread = Thread {
            Thread.current.name = "call-video-show"   // Linux applies a name set on the thread itself
            guard let connection = try? ControlClient(path: path) else { return }
            try? connection.stream(ControlRequest(command: "call-video")) { text in
                guard let line = try? ControlCoding.decode(VideoFrameLine.self, from: text) else { return true }
                let tap = line.which == "local" ? feed.local : feed.remote
                if let frame = line.frame { tap.publish(frame) } else { tap.clear() }
                return true
            }
        }
        thread.start()
    }

    // MARK: Requests

    /// Sends a request on the queue and waits for the answer; a refusal becomes an error.
    private func request(_ request: ControlRequest) throws -> ControlResponse {
        let answer = try queue.sync { try client.request(request) }
        guard answer.ok else { throw AttachedNodeError.refused(answer.error ?? "the node refused \(request.command)") }
        return answer
    }

    private func requestAsync(_ request: ControlRequest) async throws -> ControlResponse {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    let answer = try self.client.request(request)
                    if answer.ok {
                        continuation.resume(returning: answer)
                    } else {
                        continuation.resume(throwing: AttachedNodeError.refused(answer.error ?? "the node refused \(request.command)"))
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private func call(_ request: ControlRequest) async throws -> CallStatus {
        guard let call = try await requestAsync(request).call else { throw AttachedNodeError.refused("the node sent no call status") }
        return call
    }

    private func transfer(_ command: String, _ id: String, directory: String? = nil) async throws -> Transfer {
        _ = try await requestAsync(ControlRequest(command: command, transfer: id, directory: directory))
        return try stored(id)
    }

    /// The transfer as the node stored it.
    private func stored(_ id: String) throws -> Transfer {
        guard let uuid = UUID(uuidString: id), let transfer = try profile.database.transfers.transfer(uuid) else {
            throw AttachedNodeError.refused("no transfer \(id)")
        }
        return transfer
    }

    // MARK: NodeAPI

    public func eventStream() -> AsyncStream<NodeEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: NodeEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        let path = socketPath
        let stop = NIOLockedValueBox(false)
        let thread = Thread {
            Thread.current.name = "parley-events"   // Linux applies a name set on the thread itself
            defer { continuation.finish() }
            guard let events = try? ControlClient(path: path) else { return }
            try? events.streamEvents { text in
                if let line = try? ControlCoding.decode(EventLine.self, from: text), let event = NodeEvent(line: line) {
                    continuation.yield(event)
                }
                return !stop.withLockedValue { $0 }
            }
        }
        continuation.onTermination = { _ in stop.withLockedValue { $0 = true } }
        thread.start()
        return stream
    }

    public func sendMessage(_ text: String, to reference: String) throws {
        _ = try request(ControlRequest(command: "send", contact: reference, text: text))
    }

    public func typing(_ active: Bool, to reference: String) async throws {
        _ = try await requestAsync(ControlRequest(command: "typing", contact: reference, active: active))
    }

    public func markConversationRead(_ reference: String) async throws {
        _ = try await requestAsync(ControlRequest(command: "read", contact: reference))
    }

    public func contactsChanged() async {
        _ = try? await requestAsync(ControlRequest(command: "contacts-changed"))
    }

    public func status() async throws -> NodeStatus {
        guard let status = try await requestAsync(ControlRequest(command: "status")).status else {
            throw AttachedNodeError.refused("the node did not say its status")
        }
        return status
    }

    public func transfersWithRates() throws -> [(transfer: Transfer, rate: Double?)] {
        let stored = try profile.database.transfers.all()
        let running = stored.contains { !$0.state.isFinal }
        let rates = running ? Dictionary((try request(ControlRequest(command: "file-list")).transfers ?? []).compactMap { info in
            info.rate.map { (info.id, $0) }
        }, uniquingKeysWith: { first, _ in first }) : [:]
        return stored.map { ($0, rates[$0.id.uuidString]) }
    }

    public func offerFile(path: String, to reference: String, as name: String?) async throws -> Transfer {
        let answer = try await requestAsync(ControlRequest(command: "file-send", contact: reference, path: path, name: name))
        guard let id = answer.transfer?.id else { throw AttachedNodeError.refused("the node did not say which transfer") }
        return try stored(id)
    }

    public func acceptTransfer(_ id: String, into directory: String?) async throws -> Transfer {
        try await transfer("file-accept", id, directory: directory)
    }
    public func rejectTransfer(_ id: String) async throws -> Transfer { try await transfer("file-reject", id) }
    public func cancelTransfer(_ id: String) async throws -> Transfer { try await transfer("file-cancel", id) }
    public func pauseTransfer(_ id: String) async throws -> Transfer { try await transfer("file-pause", id) }
    public func resumeTransfer(_ id: String) async throws -> Transfer { try await transfer("file-resume", id) }

    public func startCall(to reference: String, video: Bool, devices: CallDevices, timeoutSeconds: Int?) async throws -> CallStatus {
        try await call(ControlRequest(command: "call-start", contact: reference, video: video, devices: devices, timeout: timeoutSeconds))
    }

    public func acceptCall(_ call: String?, audioOnly: Bool, devices: CallDevices) async throws -> CallStatus {
        try await self.call(ControlRequest(command: "call-accept", call: call, audioOnly: audioOnly, devices: devices))
    }

    public func rejectCall(_ call: String?) async throws -> CallStatus {
        try await self.call(ControlRequest(command: "call-reject", call: call))
    }

    public func hangUp(_ call: String?) async throws -> CallStatus {
        try await self.call(ControlRequest(command: "call-hangup", call: call))
    }

    public func inviteToCall(_ call: String?, contact reference: String, timeoutSeconds: Int?) async throws -> CallStatus {
        try await self.call(ControlRequest(command: "call-invite", contact: reference, call: call, timeout: timeoutSeconds))
    }

    public func setCallMedia(_ call: String?, audio: Bool, video: Bool, out: Bool, in: Bool, on: Bool) async throws -> CallStatus {
        try await self.call(ControlRequest(command: "call-media", call: call, video: video, audio: audio, directionIn: `in`,
                                           directionOut: out, on: on))
    }

    public func startBroadcast(to references: [String]?, devices: CallDevices) async throws -> BroadcastStatus {
        try await broadcast(ControlRequest(command: "broadcast-start", devices: devices, contacts: references, all: references == nil))
    }

    public func stopBroadcast() async throws -> BroadcastStatus { try await broadcast(ControlRequest(command: "broadcast-stop")) }

    public func broadcastStatus() async throws -> BroadcastStatus { try await broadcast(ControlRequest(command: "broadcast-status")) }

    public func broadcastOffers() async -> [BroadcastOffer] {
        (try? await requestAsync(ControlRequest(command: "broadcast-list")).broadcasts) ?? []
    }

    public func watchBroadcast(of reference: String, devices: CallDevices) async throws -> CallStatus {
        try await call(ControlRequest(command: "broadcast-watch", contact: reference, devices: devices))
    }

    private func broadcast(_ request: ControlRequest) async throws -> BroadcastStatus {
        guard let broadcast = try await requestAsync(request).broadcast else { throw AttachedNodeError.refused("the node sent no broadcast status") }
        return broadcast
    }

    public func ongoingCall() async -> CallStatus? {
        guard let status = try? await call(ControlRequest(command: "call-status")), status.state != "ended" else { return nil }
        return status
    }
}

/// The attached node said no.
public enum AttachedNodeError: Error, CustomStringConvertible {
    case refused(String)

    public var description: String {
        switch self {
        case .refused(let reason): reason
        }
    }
}
