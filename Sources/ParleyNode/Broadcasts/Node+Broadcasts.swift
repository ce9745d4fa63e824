import ParleyCore

/// Broadcasts, as the control socket, the CLI and the terminal UI use them.
extension Node {
    /// Starts a broadcast to the contacts named (nil: every contact), from the configured
    /// microphone and camera or the devices given (`audioInput`, `videoInput`).
    public func startBroadcast(to references: [String]?, devices: CallDevices = CallDevices()) async throws -> BroadcastStatus {
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
        return try await calls.startBroadcast(to: contacts, devices: devices)
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
