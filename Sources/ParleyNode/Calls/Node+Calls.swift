import ParleyCore
import ParleyWire

/// Calls, as the control socket, the CLI and the terminal UI use them.
extension Node {
    /// Calls a contact (`video`: audio and video). Returns once the invitation is sent.
    public func startCall(to reference: String, video: Bool, devices: CallDevices = CallDevices(),
                          timeoutSeconds: Int? = nil) async throws -> CallStatus {
        try await startCall(to: [reference], video: video, devices: devices, timeoutSeconds: timeoutSeconds)
    }

    /// Calls several contacts at once: a group call (one contact: a call between two).
    public func startCall(to references: [String], video: Bool, devices: CallDevices = CallDevices(),
                          timeoutSeconds: Int? = nil) async throws -> CallStatus {
        let contacts = try references.map { reference in
            let contact = try profile.database.contacts.resolve(reference)
            guard contact.trust != .blocked else { throw NodeError.blocked(contact.name) }
            return contact
        }
        return try await calls.start(contacts, video: video, devices: devices, timeoutSeconds: timeoutSeconds)
    }

    /// Invites a contact into the call going on (the current one when `call` is nil).
    public func inviteToCall(_ call: String? = nil, contact reference: String, timeoutSeconds: Int? = nil) async throws -> CallStatus {
        let contact = try profile.database.contacts.resolve(reference)
        guard contact.trust != .blocked else { throw NodeError.blocked(contact.name) }
        return try await calls.invite(call, contact, timeoutSeconds: timeoutSeconds)
    }

    /// Answers the ringing call (the current one when `call` is nil).
    public func acceptCall(_ call: String? = nil, audioOnly: Bool = false, devices: CallDevices = CallDevices()) async throws -> CallStatus {
        try await calls.accept(call, audioOnly: audioOnly, devices: devices)
    }

    public func rejectCall(_ call: String? = nil) async throws -> CallStatus { try await calls.reject(call) }

    public func hangUp(_ call: String? = nil) async throws -> CallStatus { try await calls.hangup(call) }

    /// Stops (`on` false) or resumes sending (`out`) or receiving (`in`) the kinds named.
    public func setCallMedia(_ call: String? = nil, audio: Bool, video: Bool, out: Bool, in: Bool, on: Bool) async throws -> CallStatus {
        var kinds: [CallMediaOffer.Kind] = []
        if audio { kinds.append(.audio) }
        if video { kinds.append(.video) }
        return try await calls.setMedia(call, kinds: kinds, out: out, in: `in`, on: on)
    }

    /// The call going on or named (the last one after it ended).
    public func callStatus(_ call: String? = nil) async throws -> CallStatus { try await calls.status(call) }

    /// The call going on, if any.
    public func ongoingCall() async -> CallStatus? { await calls.ongoing }

    /// The call log, newest first, all or with one contact.
    public func callLog(with reference: String? = nil, limit: Int = 50) throws -> [CallLogEntry] {
        let contact = try reference.map { try profile.database.contacts.resolve($0) }
        let names = Dictionary((try profile.database.contacts.all()).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return try profile.database.calls.recent(with: contact?.id, limit: limit).map { record in
            CallLogEntry(record, name: names[record.contactID] ?? record.contactID.short)
        }
    }

    /// Sets whether a contact's calls are answered automatically.
    public func setAutoAnswer(_ mode: AutoAnswer, for reference: String) throws {
        let contact = try profile.database.contacts.resolve(reference)
        try profile.database.settings.set(mode == .off ? nil : mode.rawValue, for: SettingKeys.autoAnswer(for: contact.id))
    }

    /// Whether a contact's calls are answered automatically.
    public func autoAnswer(for reference: String) throws -> AutoAnswer {
        let contact = try profile.database.contacts.resolve(reference)
        return AutoAnswer(rawValue: try profile.database.settings.value(for: SettingKeys.autoAnswer(for: contact.id)) ?? "off") ?? .off
    }
}
