import Foundation
import ParleyCore
import ParleyMedia
import ParleyStream
import ParleyWire

/// Broadcasts, one to many, on the call machinery: a broadcast is a ``Call`` whose legs
/// are its viewers (each with its own ICE agent, SRTP keys and transport, answered without
/// ringing), fed by one ``BroadcastSender``; a viewer watches it as a call of its own that
/// only receives. Contacts in the audience are told with CALL_BROADCAST; a viewer asks to
/// watch with a CALL_INVITE that has the `watching` flag and the broadcast's ID.
extension CallManager {
    /// The contacts' live broadcasts we were told of, by contact (one each).
    static let broadcastOffersKept = 256
    /// Announcements of new broadcasts a contact may make per minute; more are ignored (no
    /// event, no log line), so a contact cannot flood the screen.
    static let maxAnnouncementsPerMinute = 10

    // MARK: Sending a broadcast

    /// Starts a broadcast to `audience` (nil: every contact) from the configured devices or
    /// `overrides` (`audioInput`, `videoInput`): read and encoded once, sent to each viewer.
    /// `rtp`: also send the stream as plain RTP to a media server, its SDP written to `sdpPath`.
    func startBroadcast(to audience: [Contact]?, devices overrides: CallDevices, rtp: StreamDestination?, sdpPath: String?) async throws -> BroadcastStatus {
        try checkIdle()
        try overrides.validate()
        let settings = settings()
        let devices = settings.devices.overridden(by: overrides)
        guard devices.audioInput != nil || devices.videoInput != nil else {
            throw CallError.badDevice("a broadcast needs a microphone or a camera: give --audio or --video (or audio_input / video_input in the config)")
        }
        let hub = makeHub(devices, settings: settings)
        func open<T>(_ result: Result<T?, CallDeviceHub.Failure>, _ what: String) throws -> T? {
            switch result {
            case .success(let value): return value
            case .failure(let failure): throw CallError.badDevice("the \(what) cannot be used: \(failure.message)")
            }
        }
        let audioSource = try open(hub.audioSource(), "microphone")
        let videoSource = try open(hub.videoSource(), "camera")
        let id = UUID()
        let sender: BroadcastSender
        var output: BroadcastRTPOutput?
        do {
            output = try await rtp.asyncMap { try await BroadcastRTPOutput.open($0) }
            sender = try BroadcastSender(
                audioSource: audioSource, videoSource: videoSource, audioBitrate: settings.audioBitrate, videoBitrate: settings.videoBitrate,
                frameRate: 30, plainOutput: output, onDeviceError: { [weak self] error in
                    Task { await self?.broadcastDeviceFailed(id, error) }
                })
            if let output, let sdpPath {
                let text = output.sessionDescription(audio: sender.hasAudio, video: sender.hasVideo)
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: sdpPath), options: .atomic)
                } catch {
                    throw CallError.badDevice("the SDP cannot be written to \(sdpPath): \(error.localizedDescription)")
                }
            }
        } catch {
            try? hub.finish()
            await output?.close()
            if error is CallError { throw error }
            throw CallError.mediaFailed("\(error)")
        }
        try checkIdle()
        let call = Call(id: id, joined: true)
        call.hub = hub
        let broadcast = Broadcast(sender: sender, audience: audience.map { Set($0.map(\.id)) })
        broadcast.rtp = output
        broadcast.sdpPath = output == nil ? nil : sdpPath
        call.broadcast = broadcast
        current = call
        videoFeed.clear()
        sender.start()
        let targets = try audience ?? database.contacts.all().filter { $0.trust != .blocked }
        for contact in targets {
            guard let session = await registry.session(for: contact.id), session.takesCalls else { continue }
            await announce(call, live: true, to: contact.id, over: session)
        }
        logger.info("broadcast \(id) started (\(sender.hasVideo ? "audio and video" : "audio")) to \(audience.map { "\($0.count) contacts" } ?? "every contact")")
        return broadcastStatus(call, broadcast)
    }

    /// Stops our broadcast: every viewer's leg ends, the audience is told, the devices close.
    func stopBroadcast() async throws -> BroadcastStatus {
        guard let call = current, let broadcast = call.broadcast, !broadcast.stopped else { throw CallError.noSuchBroadcast(nil) }
        for leg in call.liveLegs {
            await apply(leg.state == .ringingIn ? .localReject : .localHangup, to: leg)
        }
        broadcast.stopped = true
        broadcast.stoppedAt = Date()
        broadcast.sender.stopSending()
        await broadcast.rtp?.close()
        do { try call.hub?.finish() } catch { logger.warning("broadcast \(call.id): the devices could not be closed: \(error)") }
        videoFeed.clear()
        for contact in broadcast.announced {
            guard let session = await registry.session(for: contact) else { continue }
            await announce(call, live: false, to: contact, over: session)
        }
        logger.info("broadcast \(call.id) stopped")
        return broadcastStatus(call, broadcast)
    }

    /// Our broadcast (the last one, after it stopped).
    func broadcastStatus() throws -> BroadcastStatus {
        guard let call = current, let broadcast = call.broadcast else { throw CallError.noSuchBroadcast(nil) }
        return broadcastStatus(call, broadcast)
    }

    private func broadcastStatus(_ call: Call, _ broadcast: Broadcast) -> BroadcastStatus {
        let names = broadcast.audience.map { audience in
            audience.map { id in (try? database.contacts.contact(for: id))?.name ?? id.short }.sorted()
        }
        let (audio, video) = broadcast.sender.statistics()
        var raw = CallMediaStatistics()
        raw.sent[.audio] = audio
        raw.sent[.video] = video
        let participants = call.status()?.participants ?? []
        return BroadcastStatus(
            id: call.id.uuidString, state: broadcast.stopped ? "stopped" : "live", startedAt: broadcast.startedAt,
            stoppedAt: broadcast.stoppedAt, audio: broadcast.sender.hasAudio, video: broadcast.sender.hasVideo, audience: names,
            watching: call.liveLegs.count, viewers: participants, sent: audio == nil && video == nil ? nil : CallStatistics(raw),
            rtp: broadcast.rtp.map { "\($0.destination.host):\($0.destination.port)" }, sdp: broadcast.sdpPath)
    }

    /// Tells a contact our broadcast is live (or over).
    private func announce(_ call: Call, live: Bool, to contact: ContactID, over session: PeerSession) async {
        guard let broadcast = call.broadcast else { return }
        do {
            try await session.send(.call(.broadcast(call.id, live: live, video: broadcast.sender.hasVideo)))
            if live { broadcast.announced.insert(contact) }
        } catch {
            logger.notice("broadcast \(call.id): \(contact.short) could not be told: \(error)")
        }
    }

    /// A contact's link came up while we broadcast to it: it is told (again).
    func announceBroadcast(to session: PeerSession) async {
        guard let call = current, let broadcast = call.broadcast, !broadcast.stopped, broadcast.admits(session.peerID),
              session.takesCalls else { return }
        if broadcast.audience == nil, (try? database.contacts.contact(for: session.peerID))?.trust == .blocked { return }
        await announce(call, live: true, to: session.peerID, over: session)
    }

    /// A contact asks to watch: answered at once when it is our live broadcast and the
    /// contact is in its audience, with our streams' SSRCs and a key of its own.
    func watchRequest(_ invite: CallInvite, from contact: Contact) async {
        guard let call = current, call.id == invite.callID, let broadcast = call.broadcast, !broadcast.stopped,
              broadcast.admits(contact.id), contact.trust != .blocked else {
            await send([.reject(invite.callID, reason: .unavailable, detail: "no such broadcast")], toContact: contact.id)
            return
        }
        if let leg = call.leg(with: contact.id), !leg.isEnded { return }   // repeated
        guard call.liveLegs.count < BroadcastSender.maxViewers else {
            await send([.reject(invite.callID, reason: .busy, detail: "the broadcast is full")], toContact: contact.id)
            return
        }
        let leg = CallLeg(id: call.id, recordID: UUID(), peer: contact, direction: .incoming, video: broadcast.sender.hasVideo,
                          devices: call.hub?.devices ?? CallDevices(), ringTimeout: .seconds(Int(invite.ringTimeoutSeconds)))
        leg.remote = invite.description
        call.legs.append(leg)
        // Ended viewers are kept for the status, at most as many again as can watch.
        let ended = call.legs.filter(\.isEnded)
        if ended.count > BroadcastSender.maxViewers { call.legs.removeAll { old in ended.prefix(ended.count - BroadcastSender.maxViewers).contains { $0 === old } } }
        logger.info("broadcast \(call.id): \(contact.name) watches")
        do {
            try await answer(leg, in: call, video: broadcast.sender.hasVideo, local: Self.broadcastDescription(broadcast.sender, settings: settings()))
        } catch {
            logger.notice("broadcast \(call.id): could not connect to \(contact.name): \(error)")
        }
    }

    /// Our side of a viewer's leg: what the broadcast sends (its SSRCs, send only) and a
    /// fresh key for this viewer.
    static func broadcastDescription(_ sender: BroadcastSender, settings: CallSettings) -> CallDescription {
        description(audioSSRC: sender.hasAudio ? sender.audioSSRC : nil, videoSSRC: sender.hasVideo ? sender.videoSSRC : nil,
                    direction: .sendOnly, settings: settings)
    }

    private func broadcastDeviceFailed(_ id: UUID, _ error: CallMediaDeviceError) {
        guard let call = current, call.id == id, let broadcast = call.broadcast, !broadcast.stopped else { return }
        logger.warning("broadcast \(id): \(error.message)")
    }

    // MARK: Watching a contact's broadcast

    /// A contact's CALL_BROADCAST: its broadcast is live (kept, and shown) or over.
    func announced(_ id: UUID, live: Bool, video: Bool, by contact: Contact) {
        if live {
            guard broadcastOffers[contact.id]?.id != id else { return }
            let now = ContinuousClock.now
            let recent = (recentAnnouncements[contact.id] ?? []).filter { now - $0 < .seconds(60) }
            guard recent.count < Self.maxAnnouncementsPerMinute else { return }
            recentAnnouncements[contact.id] = recent + [now]
            guard broadcastOffers.count < Self.broadcastOffersKept || broadcastOffers[contact.id] != nil else { return }
            broadcastOffers[contact.id] = BroadcastAnnouncement(id: id, video: video, at: Date())
        } else {
            guard broadcastOffers[contact.id]?.id == id else { return }
            broadcastOffers[contact.id] = nil
        }
        events.publish(.call(CallEvent(call: id, peer: EventPeer(contact.id, name: contact.name), what: .broadcast(live: live, video: video))))
        logger.info("\(contact.name) \(live ? "is broadcasting (/watch)" : "stopped broadcasting")")
    }

    /// The contacts' live broadcasts we may watch.
    func offers(names: (ContactID) -> String) -> [BroadcastOffer] {
        broadcastOffers.map { contact, offer in
            BroadcastOffer(id: offer.id.uuidString, contact: contact.grouped, name: names(contact), video: offer.video, since: offer.at)
        }.sorted { $0.since < $1.since }
    }

    /// Watches a contact's live broadcast: a call to it that only receives, answered at once.
    func watch(_ contact: Contact, devices overrides: CallDevices) async throws -> CallStatus {
        try checkIdle()
        guard let offer = broadcastOffers[contact.id] else { throw CallError.noSuchBroadcast(contact.name) }
        guard let session = await registry.session(for: contact.id) else { throw CallError.offline(contact.name) }
        try overrides.validate()
        let settings = settings()
        let devices = settings.devices.overridden(by: overrides)
        try checkIdle()
        let call = Call(id: offer.id, joined: true)
        call.hub = makeHub(CallDevices(audioInput: nil, audioOutput: devices.audioOutput, videoInput: nil, videoOutput: devices.videoOutput),
                           settings: settings)
        current = call
        try await place(call, to: contact, over: session, video: offer.video, group: CallInviteGroup(joining: false, members: [], watching: true),
                        timeout: 30, settings: settings,
                        local: Self.watchingDescription(video: offer.video, settings: settings))
        // The broadcaster answers at once: wait a moment for it, as `call start` waits for ringing.
        let asked = ContinuousClock.now
        while current === call, call.legs.contains(where: { $0.state == .calling }), ContinuousClock.now - asked < Self.ringingGrace {
            try? await Task.sleep(for: .milliseconds(5))
        }
        guard let status = call.status() else { throw CallError.noSuchCall(nil) }
        return status
    }

    /// A viewer's side: receive only; its own SSRCs (for its reports) and key (for its RTCP).
    static func watchingDescription(video: Bool, settings: CallSettings) -> CallDescription {
        description(audioSSRC: UInt32.random(in: 1 ... .max), videoSSRC: video ? UInt32.random(in: 1 ... .max) : nil,
                    direction: .receiveOnly, settings: settings)
    }
}

extension Optional {
    /// The wrapped value through an async transform.
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
