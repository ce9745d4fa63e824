import ParleyCore
import ParleyStream

/// Broadcasts, as the control socket, the CLI and the terminal UI use them.
extension Node {
    /// Starts a broadcast to the contacts named (nil: every contact), from the configured
    /// microphone and camera or the devices given (`audioInput`, `videoInput`).
    /// `rtp` ("HOST:PORT"): also send plain RTP to a media server (audio to PORT, video to
    /// PORT + 2), its SDP written to `sdp` (default: `broadcast.sdp` in the profile's data folder).
    public func startBroadcast(to references: [String]?, devices: CallDevices, rtp: String?, sdp: String?) async throws -> BroadcastStatus {
        if let references, references.isEmpty {
            throw CallError.wrongState("name the contacts to broadcast to (--to NAME…), or --all for every contact")
        }
        let contacts = try references.map { references in
            try references.map { reference in
                let contact = try profile.database.contacts.resolve(reference)
                guard contact.trust != .blocked else { throw NodeError.blocked(contact.name) }
                return contact
            }
        }
        let destination: StreamDestination?
        do {
            destination = try rtp.map { try StreamDestination(parsing: $0) }
        } catch {
            throw CallError.badDevice("--rtp \(rtp ?? ""): \(error) (HOST:PORT, an even port 1024–65534; video goes to PORT + 2)")
        }
        let sdpPath = sdp ?? profile.paths.dataDirectory.appending(path: "broadcast.sdp").path
        return try await calls.startBroadcast(to: contacts, devices: devices, rtp: destination, sdpPath: destination == nil ? nil : sdpPath)
    }

    /// Starts a broadcast without a media server copy.
    public func startBroadcast(to references: [String]?, devices: CallDevices) async throws -> BroadcastStatus {
        try await startBroadcast(to: references, devices: devices, rtp: nil, sdp: nil)
    }

    /// Stops our broadcast.
    public func stopBroadcast() async throws -> BroadcastStatus { try await calls.stopBroadcast() }

    /// Our broadcast and its viewers (the last one, after it stopped).
    public func broadcastStatus() async throws -> BroadcastStatus { try await calls.broadcastStatus() }

    /// The contacts' live broadcasts we may watch.
    public func broadcastOffers() async -> [BroadcastOffer] {
        let names = Dictionary(((try? profile.database.contacts.all()) ?? []).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return await calls.offers { names[$0] ?? $0.short }
    }

    /// Watches a contact's live broadcast (a call that only receives; `parley call hangup` leaves).
    public func watchBroadcast(of reference: String, devices: CallDevices = CallDevices()) async throws -> CallStatus {
        let contact = try profile.database.contacts.resolve(reference)
        guard contact.trust != .blocked else { throw NodeError.blocked(contact.name) }
        return try await calls.watch(contact, devices: devices)
    }
}
