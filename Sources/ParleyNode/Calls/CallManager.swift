import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ParleyCore
import ParleyMedia
import ParleyStore
import ParleyWire

/// Owns the node's calls: drives each leg's ``CallMachine`` from the user's commands,
/// the peers' call frames, timers and the media's liveness, and carries out the actions
/// (frames, media, call log, events). One call at a time, with up to five peers (a leg
/// each, see ``Call``): another incoming call is answered busy and logged as missed.
actor CallManager {
    let ownID: ContactID
    let database: ParleyDatabase
    let registry: LinkRegistry
    let events: EventHub
    let logger: Logger
    let settings: @Sendable () -> CallSettings
    let mediaFactory: CallMediaFactory
    /// The call's pictures for a viewer in this process.
    let videoFeed = CallVideoFeed()

    /// The call going on, or the last one (kept for `call status` after it ended).
    var current: Call?
    /// When each contact's recent invitations came: more than `maxInvitesPerMinute` are
    /// ignored (no answer, no log entry), so a contact cannot fill the call log.
    private var recentInvites: [ContactID: [(at: ContinuousClock.Instant, call: UUID)]] = [:]
    static let maxInvitesPerMinute = CallManagerLimits.maxInvitesPerMinute
    /// The contacts' live broadcasts we were told of (CALL_BROADCAST), by contact.
    var broadcastOffers: [ContactID: BroadcastAnnouncement] = [:]
    /// When each contact announced its recent broadcasts (at most `maxAnnouncementsPerMinute` count).
    var recentAnnouncements: [ContactID: [ContinuousClock.Instant]] = [:]

    /// ICE must connect a pair within this after the answer, or media moves into the link.
    static let iceGrace: Duration = .seconds(2)
    /// No media for this long with the link up restarts ICE (at most every 4 s).
    static let restartAfterSilence: Duration = .seconds(2)
    /// No media for this long with the link down ends the call "connection lost"…
    static let lostWithoutLink: Duration = .seconds(6)
    /// …and for this long even with the link up.
    static let lostWithLink: Duration = .seconds(15)
    /// How long the callee's side rings beyond the caller's time-out (the caller's CANCEL normally arrives first).
    static let calleeGrace: Duration = .seconds(2)

    init(ownID: ContactID, database: ParleyDatabase, registry: LinkRegistry, events: EventHub, logger: Logger,
         settings: @escaping @Sendable () -> CallSettings, mediaFactory: @escaping CallMediaFactory) {
        self.ownID = ownID
        self.database = database
        self.registry = registry
        self.events = events
        self.logger = logger
        self.settings = settings
        self.mediaFactory = mediaFactory
        try? database.calls.closeUnfinished()
    }

    // MARK: The user's operations

    /// Calls one contact, or several (a group call). Returns once the invitations are sent.
    func start(_ contacts: [Contact], video: Bool, devices overrides: CallDevices, timeoutSeconds: Int?) async throws -> CallStatus {
        try checkIdle()
        guard !contacts.isEmpty else { throw CallError.wrongState("name a contact to call") }
        guard Set(contacts.map(\.id)).count == contacts.count else { throw CallError.wrongState("a contact is named twice") }
        guard contacts.count < Call.maxParticipants else {
            throw CallError.wrongState("a call has at most \(Call.maxParticipants) participants: call at most \(Call.maxParticipants - 1) contacts")
        }
        guard !contacts.contains(where: { $0.id == ownID }) else { throw CallError.wrongState("you cannot call yourself") }
        var sessions: [PeerSession] = []
        for contact in contacts {
            guard let session = await registry.session(for: contact.id) else { throw CallError.offline(contact.name) }
            guard session.takesCalls else { throw CallError.peerCannotCall(contact.name) }
            sessions.append(session)
        }
        try overrides.validate()
        let settings = settings()
        let timeout = timeoutSeconds ?? settings.ringTimeoutSeconds
        guard (1 ... 600).contains(timeout) else { throw CallError.wrongState("--timeout must be 1 to 600 seconds") }
        try checkIdle()
        let call = Call(id: UUID(), joined: true)
        call.hub = makeHub(settings.devices.overridden(by: overrides), settings: settings)
        current = call
        for (contact, session) in zip(contacts, sessions) {
            let others = contacts.filter { $0.id != contact.id }.map(\.id.canonical)
            let group = contacts.count > 1 ? CallInviteGroup(joining: false, members: others) : nil
            do {
                try await place(call, to: contact, over: session, video: video, group: group, timeout: timeout, settings: settings)
            } catch where contacts.count == 1 {
                throw error
            } catch {
                logger.notice("\(contact.name) could not be invited: \(error)")
            }
        }
        // Answer once it rings at the peers' side (or was refused, or answered at once), so
        // `call start` prints the ID of a call that rings; a peer that says nothing within
        // `ringingGrace` leaves it "calling".
        let asked = ContinuousClock.now
        while current === call, call.legs.contains(where: { $0.state == .calling }), ContinuousClock.now - asked < Self.ringingGrace {
            try? await Task.sleep(for: .milliseconds(5))
        }
        guard let status = call.status() else { throw CallError.noSuchCall(nil) }
        return status
    }

    /// Throws when a call or a broadcast goes on (one at a time).
    func checkIdle() throws {
        guard let current, !current.isEnded else { return }
        if current.broadcast != nil { throw CallError.broadcasting }
        throw CallError.alreadyInCall(current.mainLeg?.peer.name ?? "someone")
    }

    /// Invites a contact into the call going on (a group call from then on).
    func invite(_ reference: String?, _ contact: Contact, timeoutSeconds: Int?) async throws -> CallStatus {
        let call = try find(reference)
        guard call.joined, !call.liveLegs.isEmpty else {
            throw CallError.wrongState("answer the call before inviting anyone into it")
        }
        guard contact.id != ownID else { throw CallError.wrongState("you are in this call already") }
        if let leg = call.leg(with: contact.id), !leg.isEnded {
            throw CallError.wrongState("\(contact.name) is in this call already (\(leg.state.name))")
        }
        guard call.participantCount + 1 < Call.maxParticipants else {
            throw CallError.wrongState("a call has at most \(Call.maxParticipants) participants")
        }
        guard let session = await registry.session(for: contact.id) else { throw CallError.offline(contact.name) }
        guard session.takesCalls else { throw CallError.peerCannotCall(contact.name) }
        let settings = settings()
        let timeout = timeoutSeconds ?? settings.ringTimeoutSeconds
        guard (1 ... 600).contains(timeout) else { throw CallError.wrongState("--timeout must be 1 to 600 seconds") }
        let members = Array(Set(call.liveLegs.map(\.peer.id)).union(call.members).subtracting([contact.id])).map(\.canonical).sorted()
        try await place(call, to: contact, over: session, video: call.legs.contains { $0.wantsVideo },
                        group: CallInviteGroup(joining: false, members: Array(members.prefix(CallInviteGroup.memberCount.upperBound))),
                        timeout: timeout, settings: settings)
        logger.info("invited \(contact.name) into call \(call.id)")
        guard let status = call.status() else { throw CallError.noSuchCall(reference) }
        return status
    }

    /// Places one leg of `call`: its ICE agent, its log entry, the invitation, the ring timer.
    /// `via`: the participant whose link carries the leg (`session` is then that link).
    func place(_ call: Call, to contact: Contact, over session: PeerSession, via: Contact? = nil, video: Bool,
               group: CallInviteGroup?, timeout: Int, settings: CallSettings, local: CallDescription? = nil) async throws {
        // A leg with this peer may have come while we waited (its joining invitation crossed ours).
        if let existing = call.leg(with: contact.id), !existing.isEnded { return }
        let leg = CallLeg(id: call.id, recordID: call.legs.isEmpty ? call.id : UUID(), peer: contact, direction: .outgoing,
                          video: video, devices: call.hub?.devices ?? settings.devices, ringTimeout: .seconds(timeout))
        leg.via = via
        let transport = CallTransport()
        leg.transport = transport
        leg.local = local ?? localDescription(video: video, settings: settings)
        call.legs.append(leg)
        call.members.removeAll { $0 == contact.id }
        if via == nil { leg.linkAddresses = LinkAddresses(session) }
        transport.startICE(controlling: true, ipv6: session.localAddress?.protocol == .inet6, servers: settings.ice)
        if call.broadcast == nil { try? database.calls.insert(leg.record) }
        do {
            let invite = CallFrame.invite(CallInvite(callID: leg.id, ringTimeoutSeconds: UInt16(timeout), description: leg.local!, group: group))
            try await session.send(.call(Self.routed(invite, to: contact.id, via: via?.id).frame))
        } catch {
            await apply(.failed("the invitation could not be sent: \(error)"), to: leg)
            throw CallError.offline(contact.name)
        }
        forwardCandidates(of: transport, leg)
        // A joining invitation waits for a participant that may still ring: a little longer.
        startRingTimer(leg, after: group?.joining == true ? leg.ringTimeout + Self.calleeGrace * 2 : leg.ringTimeout)
        logger.info("calling \(contact.name) (\(video ? "video" : "audio"), call \(leg.id)\(group.map { $0.joining ? ", joining" : ", group of \($0.members.count + 2)" } ?? "")\(via.map { ", through \($0.name)" } ?? ""))")
    }

    /// How long `start` waits for the peer's CALL_RINGING.
    static let ringingGrace: Duration = .seconds(3)

    /// Answers the ringing incoming call; in a group call, then connects to its other participants.
    func accept(_ reference: String?, audioOnly: Bool, devices overrides: CallDevices) async throws -> CallStatus {
        let call = try find(reference)
        guard let leg = call.legs.first(where: { $0.state == .ringingIn }), leg.remote != nil else {
            let leg = call.mainLeg
            throw CallError.wrongState("the call with \(leg?.peer.name ?? "nobody") is \(leg?.state.name ?? "over"); only a ringing incoming call can be accepted")
        }
        try overrides.validate()
        if call.hub == nil {
            let settings = settings()
            call.hub = makeHub(leg.devices.overridden(by: overrides), settings: settings)
        }
        try await answer(leg, in: call, video: !audioOnly)
        call.joined = true
        // Joining invitations that came while it rang, then our own to the others.
        let pending = call.pendingJoins
        call.pendingJoins = []
        for join in pending where call.leg(with: join.contact.id).map(\.isEnded) ?? true {
            await answerJoin(join.invite, from: join.contact, via: join.via, in: call, candidates: join.candidates)
        }
        await joinMembers(of: call, video: leg.wantsVideo)
        guard let status = call.status() else { throw CallError.noSuchCall(reference) }
        return status
    }

    /// Answers one ringing leg: ICE, our description, CALL_ACCEPT.
    func answer(_ leg: CallLeg, in call: Call, video: Bool, local: CallDescription? = nil) async throws {
        guard leg.state == .ringingIn, let remote = leg.remote else {
            throw CallError.wrongState("the call with \(leg.peer.name) is \(leg.state.name); only a ringing incoming call can be accepted")
        }
        guard let session = await registry.session(for: leg.via?.id ?? leg.peer.id) else {
            await apply(.linkDown, to: leg)
            throw CallError.offline(leg.via?.name ?? leg.peer.name)
        }
        let settings = settings()
        if let hub = call.hub { leg.devices = hub.devices }
        leg.wantsVideo = video && remote.offer(.video) != nil
        guard leg.state == .ringingIn else { throw CallError.wrongState("the call ended while answering (\(leg.state.name))") }
        let transport = CallTransport()
        for body in leg.pendingCandidates { transport.addRemote(body) }
        leg.pendingCandidates = []
        leg.transport = transport
        if leg.via == nil { leg.linkAddresses = LinkAddresses(session) }
        transport.startICE(controlling: false, ipv6: session.localAddress?.protocol == .inet6, servers: settings.ice)
        leg.local = local ?? localDescription(video: leg.wantsVideo, settings: settings)
        await apply(.localAccept, to: leg)
        forwardCandidates(of: transport, leg)
    }

    /// Sends joining invitations to the participants we were told of and have no leg with:
    /// those that are our contacts and online (the others are left out, and logged).
    private func joinMembers(of call: Call, video: Bool) async {
        let members = call.members
        call.members = []
        let settings = settings()
        for member in members where call.leg(with: member).map(\.isEnded) ?? true {
            let contact = try? database.contacts.contact(for: member)
            if contact?.trust == .blocked {
                logger.notice("call \(call.id): \(contact?.name ?? member.short) is blocked; not connected to it")
                continue
            }
            let others = call.liveLegs.map(\.peer.id).filter { $0 != member }.map(\.canonical)
            let group = CallInviteGroup(joining: true, members: Array(others.prefix(CallInviteGroup.memberCount.upperBound)))
            if let contact, let session = await registry.session(for: member), session.takesCalls {
                try? await place(call, to: contact, over: session, video: video, group: group,
                                 timeout: settings.ringTimeoutSeconds, settings: settings)
                continue
            }
            // Not a contact, or no link: through the participant who told us of it (it vouches).
            guard let carrierID = call.memberVia[member], let carrier = call.leg(with: carrierID), !carrier.isEnded,
                  carrier.via == nil, let session = await registry.session(for: carrierID) else {
                logger.notice("call \(call.id): \(contact?.name ?? member.short) cannot be reached; not connected to it")
                continue
            }
            let peer = contact ?? Contact(id: member, name: "participant \(member.short)")
            try? await place(call, to: peer, over: session, via: carrier.peer, video: video, group: group,
                             timeout: settings.ringTimeoutSeconds, settings: settings)
        }
    }

    /// Declines the ringing incoming call.
    func reject(_ reference: String?) async throws -> CallStatus {
        let call = try find(reference)
        guard let leg = call.legs.first(where: { $0.state == .ringingIn }) else {
            let leg = call.mainLeg
            throw CallError.wrongState("the call with \(leg?.peer.name ?? "nobody") is \(leg?.state.name ?? "over"); only a ringing incoming call can be rejected")
        }
        await apply(.localReject, to: leg)
        await refusePendingJoins(of: call)
        guard let status = call.status() else { throw CallError.noSuchCall(reference) }
        return status
    }

    /// Hangs up (or cancels our call while it rings; or declines an incoming one): leaves
    /// the call, every leg of it.
    func hangup(_ reference: String?) async throws -> CallStatus {
        let call = try find(reference)
        guard !call.isEnded else { throw CallError.wrongState("the call with \(call.mainLeg?.peer.name ?? "nobody") has ended already") }
        // Legs carried by another participant first, while its own leg still carries them.
        let legs = call.liveLegs.filter { $0.via != nil } + call.liveLegs.filter { $0.via == nil }
        for leg in legs where !leg.isEnded {
            await apply(leg.state == .ringingIn ? .localReject : .localHangup, to: leg)
        }
        await refusePendingJoins(of: call)
        guard let status = call.status() else { throw CallError.noSuchCall(reference) }
        return status
    }

    /// Stops or resumes sending (`out`) or receiving (`in`) kinds of media, with every peer.
    func setMedia(_ reference: String?, kinds: [CallMediaOffer.Kind], out: Bool, in: Bool, on: Bool) async throws -> CallStatus {
        let call = try find(reference)
        guard !call.isEnded else { throw CallError.wrongState("the call with \(call.mainLeg?.peer.name ?? "nobody") has ended") }
        for leg in call.liveLegs {
            var frames: [CallFrame] = []
            for kind in kinds {
                if out {
                    if kind == .audio { leg.localStates.audioOut = on } else { leg.localStates.videoOut = on }
                    frames.append(.mediaState(leg.id, kind: kind, scope: .mySending, on: on))
                }
                if `in` {
                    if kind == .audio { leg.localStates.audioIn = on } else { leg.localStates.videoIn = on }
                    frames.append(.mediaState(leg.id, kind: kind, scope: .yourSending, on: on))
                }
            }
            applyMediaStates(leg)
            await send(frames, to: leg)
        }
        guard let status = call.status() else { throw CallError.noSuchCall(reference) }
        return status
    }

    /// The current call, or one by ID (also the last one, after it ended).
    func status(_ reference: String?) throws -> CallStatus {
        guard let status = try find(reference, allowEnded: true).status() else { throw CallError.noSuchCall(reference) }
        return status
    }

    /// The call going on (nil when none).
    var ongoing: CallStatus? { current.flatMap { $0.isEnded || $0.broadcast != nil ? nil : $0.status() } }

    // MARK: Frames and links

    /// A call frame from a contact's link.
    func handle(_ frame: CallFrame, from contact: Contact) async {
        await handle(frame, from: contact, via: nil)
    }

    /// A call frame from `contact`, on its own link or (`via`) relayed by another participant.
    private func handle(_ frame: CallFrame, from contact: Contact, via: Contact?) async {
        if case .relay(let relay) = frame {
            if via == nil { await relayed(relay, from: contact) }
            return
        }
        if case .broadcast(let id, let live, let video) = frame {
            if via == nil { announced(id, live: live, video: video, by: contact) }
            return
        }
        if case .datagram(let id, let bytes) = frame {
            guard let call = current, call.id == id, let leg = call.leg(with: contact.id), !leg.isEnded,
                  leg.via?.id == via?.id else { return }
            leg.transport?.receivedThroughLink(bytes)
            return
        }
        if case .invite(let invite) = frame {
            await incoming(invite, from: contact, via: via)
            return
        }
        if case .candidates(let id, let body) = frame, let call = current, call.id == id, call.leg(with: contact.id) == nil,
           let index = call.pendingJoins.firstIndex(where: { $0.contact.id == contact.id }) {
            if call.pendingJoins[index].candidates.count < CallTransport.maxPendingRemote { call.pendingJoins[index].candidates.append(body) }
            return
        }
        guard let call = current, call.id == frame.callID, let leg = call.leg(with: contact.id), leg.via?.id == via?.id else {
            logger.debug("call frame \(frame.callID) for no call of ours; ignored")
            return
        }
        switch frame {
        case .ringing:
            if leg.state == .calling {
                await apply(.peerRinging, to: leg)
                publish(.ringing(video: leg.hasVideo), leg)
            }
        case .accept(_, let description):
            guard leg.machine.direction == .outgoing, leg.state == .calling || leg.state == .ringingOut else { return }
            leg.remote = description
            await apply(.peerAccepted, to: leg)
        case .reject(_, let reason, let detail):
            guard leg.machine.direction == .outgoing else { return }
            let refusal: CallRefusal = switch reason {
            case .declined: .declined
            case .busy: .busy
            case .unavailable: .unavailable
            }
            if leg.state.isRinging { publish(.rejected(refusal, detail: detail.isEmpty ? nil : detail), leg) }
            await apply(.peerRejected(refusal), to: leg)
        case .cancel:
            await apply(.peerCancelled, to: leg)
        case .hangup(_, let reason, let detail):
            let cause: CallEnd.Cause = switch reason {
            case .normal: .hungUp
            case .failed: .failed
            case .connectionLost: .connectionLost
            }
            if !detail.isEmpty { logger.info("\(leg.peer.name) hung up: \(detail)") }
            await apply(.peerHungUp(cause), to: leg)
        case .mediaState(_, let kind, let scope, let on):
            guard !leg.isEnded else { return }
            switch (scope, kind) {
            case (.mySending, .audio): leg.remoteStates.audioOut = on
            case (.mySending, .video): leg.remoteStates.videoOut = on
            case (.yourSending, .audio): leg.remoteStates.audioIn = on
            case (.yourSending, .video): leg.remoteStates.videoIn = on
            }
            applyMediaStates(leg)
            publish(.media(kind, peerSending: scope == .mySending, on: on), leg)
        case .candidates(_, let body):
            guard !leg.isEnded else { return }
            if let transport = leg.transport {
                transport.addRemote(body)
            } else if leg.pendingCandidates.count < CallTransport.maxPendingRemote {
                leg.pendingCandidates.append(body)
            }
        case .invite, .datagram, .relay, .broadcast:
            break
        }
    }

    /// Sends this side's ICE candidates to the peer as they are gathered, in order.
    private func forwardCandidates(of transport: CallTransport, _ leg: CallLeg) {
        let registry = registry, id = leg.id, peer = leg.peer.id, via = leg.via?.id
        leg.tasks.append(Task {
            for await body in transport.signalling {
                await Self.deliver(.candidates(id, body), to: peer, via: via, registry: registry)
            }
        })
    }

    /// A link to a contact came up. During a call, a link from other addresses than the one
    /// ICE started over (this host or the peer moved) restarts ICE, unless our agent is fresh
    /// (restarted, and has heard of no peer agent yet): then its candidates go again, over
    /// this link, as those sent while no link was up are lost.
    func linkUp(_ session: PeerSession) async {
        await announceBroadcast(to: session)
        guard let leg = current?.leg(with: session.peerID), !leg.isEnded, let transport = leg.transport else { return }
        let addresses = LinkAddresses(session)
        let moved = leg.linkAddresses != addresses
        leg.linkAddresses = addresses
        if transport.awaitingPeerCandidates {
            transport.resendCandidates()
        } else if moved, transport.restartICE(.linkReturned, ipv6: session.localAddress?.protocol == .inet6) {
            logger.info("link to \(leg.peer.name) back from \(addresses.local ?? "?") ↔ \(addresses.remote ?? "?"); restarting ICE")
        }
    }

    /// A link to a contact went down (and no other link to it is up).
    func linkDown(_ contact: ContactID) async {
        guard await registry.session(for: contact) == nil else { return }
        // Its broadcast is told again when the link comes back (if it still goes on).
        broadcastOffers[contact] = nil
        guard let leg = current?.leg(with: contact), !leg.isEnded else { return }
        if leg.state.isRinging {
            await apply(.linkDown, to: leg)
        } else {
            logger.info("link to \(leg.peer.name) down during the call; media goes on")
        }
    }

    /// Ends the call or the broadcast going on (the node is stopping).
    func shutdown() async {
        guard let call = current, !call.isEnded else { return }
        if call.broadcast != nil {
            _ = try? await stopBroadcast()
        } else {
            _ = try? await hangup(call.id.uuidString)
        }
    }

    // MARK: Incoming calls

    private func incoming(_ invite: CallInvite, from contact: Contact, via: Contact? = nil) async {
        // Answered calls leave the count (see `answered`): only unanswered ones can pile up.
        let now = ContinuousClock.now
        var times = (recentInvites[contact.id] ?? []).filter { now - $0.at < .seconds(60) }
        guard times.count < Self.maxInvitesPerMinute else {
            if times.count == Self.maxInvitesPerMinute { logger.notice("\(contact.name) sends too many call invitations; ignoring them for a minute") }
            times.append((now, invite.callID))
            recentInvites[contact.id] = Array(times.suffix(Self.maxInvitesPerMinute + 1))
            return
        }
        times.append((now, invite.callID))
        recentInvites[contact.id] = times
        if invite.group?.watching == true {
            if via == nil { await watchRequest(invite, from: contact) }
            return
        }
        if invite.group?.joining == true {
            await joining(invite, from: contact, via: via)
            return
        }
        // Only the participants of a call we take part in reach us through another.
        guard via == nil else { return }
        if let call = current, !call.isEnded {
            if call.id == invite.callID { return }   // repeated
            // Glare: both called each other. The call placed by the lower ID survives.
            if call.legs.count == 1, let leg = call.mainLeg, leg.peer.id == contact.id, leg.machine.direction == .outgoing, leg.state.isRinging {
                if ownID < contact.id {
                    logger.info("glare with \(contact.name): our call wins")
                    return
                }
                logger.info("glare with \(contact.name): their call wins; answering it")
                let video = leg.wantsVideo, devices = leg.devices
                await abandon(leg, of: call)
                await ring(invite, from: contact, autoAnswer: video ? .video : .audio, devices: devices)
                return
            }
            // Busy: answered at once and logged as missed.
            await send([.reject(invite.callID, reason: .busy, detail: "in another call")], toContact: contact.id)
            var record = CallRecord(id: invite.callID, contactID: contact.id, direction: .incoming,
                                    video: invite.description.offer(.video) != nil, startedAt: Date())
            record.endedAt = Date()
            record.outcome = .missed
            record.endReason = CallEnd.Cause.busy.rawValue
            try? database.calls.insert(record)
            events.publish(.call(CallEvent(call: invite.callID, peer: EventPeer(contact.id, name: contact.name), what: .ended(
                CallEnded(direction: .incoming, video: record.video, cause: .busy, byPeer: nil, detail: nil, duration: nil, missed: true)))))
            logger.info("missed a call from \(contact.name): busy")
            return
        }
        let mode = AutoAnswer(rawValue: (try? database.settings.value(for: SettingKeys.autoAnswer(for: contact.id))) ?? "off") ?? .off
        await ring(invite, from: contact, autoAnswer: mode, devices: CallDevices())
    }

    private func ring(_ invite: CallInvite, from contact: Contact, autoAnswer: AutoAnswer, devices: CallDevices) async {
        let video = invite.description.offer(.video) != nil
        let leg = CallLeg(id: invite.callID, peer: contact, direction: .incoming, video: video,
                          devices: settings().devices.overridden(by: devices),
                          ringTimeout: .seconds(Int(invite.ringTimeoutSeconds)))
        leg.remote = invite.description
        let call = Call(id: invite.callID, joined: false)
        call.legs = [leg]
        call.members = (invite.group?.members ?? []).compactMap { try? ContactID(parsing: $0) }
            .filter { $0 != ownID && $0 != contact.id }
        for member in call.members { call.memberVia[member] = contact.id }
        current = call
        try? database.calls.insert(leg.record)
        startRingTimer(leg, after: leg.ringTimeout + Self.calleeGrace)
        await send([.ringing(leg.id)], to: leg)
        publish(.incoming(video: video), leg)
        logger.info("\(contact.name) calls (\(video ? "video" : "audio"), call \(leg.id)\(call.members.isEmpty ? "" : ", with \(call.members.count) others"))")
        if autoAnswer != .off {
            _ = try? await accept(leg.id.uuidString, audioOnly: autoAnswer == .audio, devices: CallDevices())
        }
    }

    /// Drops our own ringing call without a trace (glare: the peer's call replaces it).
    /// `notify`: false for a leg of a group call, whose CANCEL the peer would take for its
    /// own leg with us (both carry the call's ID).
    private func abandon(_ leg: CallLeg, of call: Call, notify: Bool = true) async {
        if notify { await send([.cancel(leg.id)], to: leg) }
        leg.tasks.forEach { $0.cancel() }
        leg.relayed?.finish()
        leg.transport?.close()
        try? database.calls.delete(leg.record.id)
        call.legs.removeAll { $0 === leg }
        if call.legs.isEmpty, current === call { current = nil }
    }

    /// A joining invitation: another participant of our call connects to us. Answered at
    /// once when we take part; kept while our call still rings; refused otherwise.
    private func joining(_ invite: CallInvite, from contact: Contact, via: Contact?) async {
        guard let call = current, call.id == invite.callID, !call.isEnded else {
            await send([.reject(invite.callID, reason: .unavailable, detail: "not in that call")], toContact: contact.id, via: via?.id)
            return
        }
        if let leg = call.leg(with: contact.id), !leg.isEnded {
            // Both invited each other: the invitation of the lower ID survives.
            guard leg.machine.direction == .outgoing, leg.state.isRinging || leg.state == .calling, ownID > contact.id else { return }
            logger.info("call \(call.id): \(contact.name) and we invited each other; answering theirs")
            await abandon(leg, of: call, notify: false)
        }
        guard call.participantCount + (call.members.contains(contact.id) ? 0 : 1) < Call.maxParticipants else {
            await send([.reject(invite.callID, reason: .busy, detail: "the call is full")], toContact: contact.id, via: via?.id)
            return
        }
        if call.joined {
            await answerJoin(invite, from: contact, via: via, in: call)
        } else if call.pendingJoins.count < Call.maxParticipants {
            call.pendingJoins.removeAll { $0.contact.id == contact.id }
            call.pendingJoins.append(Call.PendingJoin(invite: invite, contact: contact, via: via))
        }
    }

    /// Answers a joining invitation of a call we take part in, without ringing.
    private func answerJoin(_ invite: CallInvite, from contact: Contact, via: Contact?, in call: Call, candidates: [CallCandidates] = []) async {
        let leg = CallLeg(id: call.id, recordID: UUID(), peer: contact, direction: .incoming,
                          video: invite.description.offer(.video) != nil, devices: call.hub?.devices ?? settings().devices,
                          ringTimeout: .seconds(Int(invite.ringTimeoutSeconds)))
        leg.remote = invite.description
        leg.via = via
        leg.pendingCandidates = candidates
        call.legs.append(leg)
        call.members.removeAll { $0 == contact.id }
        try? database.calls.insert(leg.record)
        logger.info("call \(call.id): \(contact.name) joins\(via.map { " (through \($0.name))" } ?? "")")
        do {
            try await answer(leg, in: call, video: call.legs.contains { $0 !== leg && $0.wantsVideo })
        } catch {
            logger.notice("call \(call.id): could not connect to \(contact.name): \(error)")
        }
    }

    /// Refuses the joining invitations kept while our call rang (we declined or left it).
    private func refusePendingJoins(of call: Call) async {
        let pending = call.pendingJoins
        call.pendingJoins = []
        for join in pending {
            await send([.reject(call.id, reason: .declined, detail: "")], toContact: join.contact.id, via: join.via?.id)
        }
    }

    // MARK: Driving the machine

    func apply(_ event: CallMachine.Event, to leg: CallLeg) async {
        let wasAnswered = leg.state.isAnswered
        let actions = leg.machine.handle(event)
        var frames: [CallFrame] = []
        for action in actions {
            switch action {
            case .sendAccept: if let local = leg.local { frames.append(.accept(leg.id, local)) }
            case .sendReject(let refusal):
                let reason: CallRejectReason = switch refusal {
                case .declined: .declined
                case .busy: .busy
                case .unavailable: .unavailable
                }
                frames.append(.reject(leg.id, reason: reason, detail: ""))
            case .sendCancel: frames.append(.cancel(leg.id))
            case .sendHangup(let cause):
                let reason: CallHangupReason = switch cause {
                case .connectionLost: .connectionLost
                case .failed: .failed
                default: .normal
                }
                frames.append(.hangup(leg.id, reason: reason, detail: ""))
            case .stopRingTimer: break   // the timer checks the state when it fires
            case .startMedia: answered(leg)
            case .stopMedia: break       // done below for every ending
            }
        }
        await send(frames, to: leg)
        if leg.state.isAnswered, !wasAnswered { await startMedia(leg) }
        if case .ended(let end) = leg.state, leg.endedAt == nil {
            finish(leg, end)
            await endCarried(by: leg)
        }
    }

    /// A participant that carried legs left us: those without an ICE pair of their own (their
    /// media went through it) end at once; the others go on until their peer says goodbye.
    private func endCarried(by carrier: CallLeg) async {
        guard let call = current, call.legs.contains(where: { $0 === carrier }) else { return }
        for leg in call.liveLegs where leg.via?.id == carrier.peer.id {
            if leg.transport?.iceConnected != true || leg.transport?.usingLink == true {
                logger.notice("call \(call.id): \(carrier.peer.name) left; the media with \(leg.peer.name) went through it")
                await apply(.failed("\(carrier.peer.name), who connected us, left the call"), to: leg)
            }
        }
    }

    func publish(_ what: CallEvent.What, _ leg: CallLeg) {
        events.publish(.call(CallEvent(call: leg.id, peer: EventPeer(leg.peer.id, name: leg.peer.name), what: what)))
    }

    private func answered(_ leg: CallLeg) {
        recentInvites[leg.peer.id]?.removeAll { $0.call == leg.id }
        leg.answered = .now
        leg.record.answeredAt = Date()
        try? database.calls.update(leg.record)
        publish(.accepted(direction: leg.record.direction, video: leg.hasVideo), leg)
    }

    private func startMedia(_ leg: CallLeg) async {
        guard let local = leg.local, let remote = leg.remote, let transport = leg.transport else {
            await apply(.failed("the call has no media description"), to: leg)
            return
        }
        let id = leg.id, peer = leg.peer
        guard let call = current, call.legs.contains(where: { $0 === leg }) else { return }
        let settings = settings()
        let hub = call.hub ?? makeHub(leg.devices, settings: settings)
        call.hub = hub
        let request = CallMediaRequest(
            local: local, remote: remote, hub: hub, peerID: peer.id.grouped, peerName: peer.name, settings: settings, transport: transport,
            deviceError: { [weak self] kind, input, message in
                Task { await self?.deviceFailed(kind, input: input, message, call: id) }
            })
        if call.legs.filter({ $0.media != nil }).isEmpty { videoFeed.clear() }
        do {
            let media = try call.broadcast.map { try BroadcastViewerLeg(broadcast: $0.sender, local: local, remote: remote, transport: transport) }
                ?? mediaFactory(request)
            leg.media = media
            // The first authenticated packet makes the call active at once (not at the next watch).
            let heard = NIOLockedValueBox(false)
            let firstMedia: @Sendable () -> Void = { [weak self] in
                guard !heard.withLockedValue({ value in defer { value = true }; return value }) else { return }
                Task { await self?.mediaArrived(id, from: peer.id) }
            }
            transport.connect(receiver: { bytes in
                media.receive(bytes, onAuthenticated: heard.withLockedValue { $0 } ? nil : firstMedia)
            })
            for kind in CallMediaOffer.Kind.allCases {
                media.setSending(kind, leg.sending(kind))
                media.setReceiving(kind, leg.receiving(kind))
            }
        } catch {
            await apply(.failed("\(error)"), to: leg)
            return
        }
        shareUplink(of: call)
        let registry = registry, via = leg.via?.id
        leg.tasks.append(Task {
            for await datagram in transport.tunnel {
                await Self.deliver(.datagram(id, datagram), to: peer.id, via: via, registry: registry)
            }
        })
        leg.tasks.append(Task { [weak self] in
            var tick = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                tick += 1
                guard let self, await self.watch(id, peer.id, publishStatistics: tick % 5 == 0) else { return }
            }
        })
    }

    /// Checks a running call every 200 ms: first media, the UDP fallback, liveness, and
    /// statistics once a second. Returns false once the call is over.
    private func watch(_ id: UUID, _ peer: ContactID, publishStatistics: Bool) async -> Bool {
        guard let call = current, call.id == id, let leg = call.leg(with: peer), !leg.isEnded, let answered = leg.answered, let transport = leg.transport else { return false }
        let now = ContinuousClock.now
        let heard = leg.media?.lastReceivedNanoseconds.map { MonotonicClock().nowNanoseconds() &- $0 }
        let silence: Duration = heard.map { .nanoseconds(Int64(clamping: $0)) } ?? (now - answered)
        if heard != nil, leg.state == .connecting {
            await apply(.mediaArrived, to: leg)
        }
        if !transport.usingLink, !transport.iceConnected, now - answered >= Self.iceGrace {
            logger.notice("no ICE pair to \(leg.peer.name) within 2 s; media goes through the link")
            transport.useLink()
        }
        let linkUp = await registry.session(for: leg.via?.id ?? leg.peer.id) != nil
        // The peer sends something we take (not both stopped): silence means the path broke.
        let expected = leg.receiving(.audio) && leg.remoteStates.audioOut || leg.receiving(.video) && leg.remoteStates.videoOut
        if linkUp, expected, leg.state == .active, silence >= Self.restartAfterSilence, transport.restartICE(.mediaStopped) {
            logger.notice("call with \(leg.peer.name): no media for \(Int(CallLeg.seconds(silence))) s with the link up; restarting ICE")
        }
        if silence >= Self.lostWithLink || (!linkUp && silence >= Self.lostWithoutLink) {
            logger.notice("call with \(leg.peer.name): no media for \(Int(CallLeg.seconds(silence))) s\(linkUp ? "" : " and no link"); ending it")
            await apply(.connectionLost, to: leg)
            return false
        }
        if publishStatistics {
            // Once a second: should the node stop without ending the call, it ends about now.
            try? database.calls.markAlive(leg.record.id)
            // A leg whose carrier left has no signalling: the peer's RTCP BYE says it hung up.
            if let via = leg.via, call.leg(with: via.id)?.isEnded ?? true, leg.media?.peerSaidGoodbye == true {
                await apply(.peerHungUp(.hungUp), to: leg)
                return false
            }
        }
        if publishStatistics, leg.state == .active {
            let status = leg.status()
            publish(.statistics(status.statistics ?? CallStatistics(), mediaPath: status.mediaPath, duration: status.duration), leg)
        }
        return true
    }

    private func mediaArrived(_ id: UUID, from peer: ContactID) async {
        guard let call = current, call.id == id, let leg = call.leg(with: peer), leg.state == .connecting else { return }
        await apply(.mediaArrived, to: leg)
    }

    /// A device of the call failed (or is missing): every leg stops sending that kind (an
    /// input) and its peer is told; reported once per device and message.
    private func deviceFailed(_ kind: CallMediaOffer.Kind, input: Bool, _ message: String, call id: UUID) async {
        guard let call = current, call.id == id else { return }
        var reported = false
        for leg in call.legs where leg.media != nil || !leg.isEnded {
            let known = input ? leg.inputErrors[kind] : leg.outputErrors[kind]
            if input { leg.inputErrors[kind] = message } else { leg.outputErrors[kind] = message }
            applyMediaStates(leg)
            if known != message, !reported {
                reported = true
                publish(.deviceError(kind, input: input, detail: message), leg)
                logger.warning("call \(call.id): \(message)")
            }
            if input, known == nil, !leg.isEnded { await send([.mediaState(id, kind: kind, scope: .mySending, on: false)], to: leg) }
        }
    }

    /// Tells the media what to send and play after a change of either side's states.
    private func applyMediaStates(_ leg: CallLeg) {
        guard let media = leg.media else { return }
        for kind in CallMediaOffer.Kind.allCases {
            media.setSending(kind, leg.sending(kind))
            media.setReceiving(kind, leg.receiving(kind))
        }
    }

    private func finish(_ leg: CallLeg, _ end: CallEnd) {
        leg.endedAt = .now
        leg.tasks.forEach { $0.cancel() }
        leg.relayed?.finish()
        leg.media?.stop()
        leg.transport?.close()
        if let call = current, call.legs.contains(where: { $0 === leg }) {
            if call.isEnded {
                // The last leg: the speaker plays out and its file is completed.
                do { try call.hub?.finish() } catch { logger.warning("call \(call.id): the speaker could not be finished: \(error)") }
                videoFeed.clear()
                if !call.pendingJoins.isEmpty { Task { await refusePendingJoins(of: call) } }
            } else {
                shareUplink(of: call)
                videoFeed.removeTile(contact: leg.peer.id.grouped)
            }
        }
        leg.record.endedAt = Date()
        leg.record.outcome = CallRecord.outcome(direction: leg.record.direction, answered: leg.answered != nil, end: end)
        leg.record.endReason = end.detail.map { "\(end.cause.rawValue): \($0)" } ?? end.cause.rawValue
        leg.record.video = leg.hasVideo
        try? database.calls.update(leg.record)
        publish(.ended(CallEnded(direction: leg.record.direction, video: leg.hasVideo, cause: end.cause, byPeer: end.byPeer,
                                 detail: end.detail, duration: leg.status().duration, missed: leg.record.isMissed)), leg)
        logger.info("call with \(leg.peer.name) ended: \(end.sentence)")
    }

    private func startRingTimer(_ leg: CallLeg, after delay: Duration) {
        let id = leg.id, peer = leg.peer.id
        leg.tasks.append(Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            await self?.ringTimedOut(id, peer)
        })
    }

    private func ringTimedOut(_ id: UUID, _ peer: ContactID) async {
        guard let call = current, call.id == id, let leg = call.leg(with: peer), leg.state.isRinging || leg.state == .calling else { return }
        await apply(.ringTimeout, to: leg)
    }

    // MARK: Helpers

    private func find(_ reference: String?, allowEnded: Bool = false) throws -> Call {
        // A broadcast is not a call: `parley broadcast` drives it.
        guard let call = current, call.broadcast == nil else { throw CallError.noSuchCall(reference) }
        if let reference, !reference.isEmpty, call.id.uuidString.lowercased() != reference.lowercased(),
           !call.id.uuidString.lowercased().hasPrefix(reference.lowercased()) {
            throw CallError.noSuchCall(reference)
        }
        if !allowEnded, call.isEnded, reference == nil { throw CallError.noSuchCall(nil) }
        return call
    }

    /// Splits the video's uplink budget (`video_bitrate`) between the legs that have media:
    /// with more peers each gets less, and its resolution and frame rate follow. Audio keeps
    /// its own rate on every leg (it comes first).
    private func shareUplink(of call: Call) {
        let legs = call.liveLegs.filter { $0.media != nil }
        guard !legs.isEmpty else { return }
        let share = Self.videoShare(budget: settings().videoBitrate, peers: legs.count)
        for leg in legs { leg.media?.setVideoBitrateLimit(share) }
    }

    /// Each peer's share of a video budget: the budget divided between them, never under
    /// 100 kb/s (a picture worth sending at the smallest size).
    static func videoShare(budget: Int, peers: Int) -> Int {
        max(100_000, budget / max(1, peers))
    }

    /// The devices of a new call (opened at its first media).
    func makeHub(_ devices: CallDevices, settings: CallSettings) -> CallDeviceHub {
        CallDeviceHub(devices: devices, settings: settings, frameRate: 30, videoFeed: videoFeed)
    }

    func send(_ frames: [CallFrame], to leg: CallLeg) async {
        await send(frames, toContact: leg.peer.id, via: leg.via?.id)
    }

    func send(_ frames: [CallFrame], toContact contact: ContactID, via: ContactID? = nil) async {
        guard !frames.isEmpty, let session = await registry.session(for: via ?? contact) else { return }
        do {
            try await session.send(contentsOf: frames.map { .call(Self.routed($0, to: contact, via: via).frame) })
        } catch {
            logger.notice("call frames to \(contact.short) not sent: \(error)")
        }
    }

    /// Sends a call frame from a task of a leg's own (not the manager's): the link is awaited
    /// there, never here.
    static func deliver(_ frame: CallFrame, to peer: ContactID, via: ContactID?, registry: LinkRegistry) async {
        let routed = routed(frame, to: peer, via: via)
        try? await registry.session(for: routed.to)?.send(.call(routed.frame))
    }

    /// Where a call frame for `peer` goes: its own link, or wrapped in CALL_RELAY to the
    /// participant that carries the leg.
    static func routed(_ frame: CallFrame, to peer: ContactID, via: ContactID?) -> (to: ContactID, frame: CallFrame) {
        guard let via else { return (peer, frame) }
        return (via, .relay(CallRelay(callID: frame.callID, direction: .forwardTo, peer: peer.canonical, frame: frame)))
    }

    /// The queue of frames we carry to `leg`'s peer for other participants, and its writer.
    private func relayQueue(to leg: CallLeg) -> AsyncStream<CallFrame>.Continuation {
        if let queue = leg.relayed { return queue }
        let (frames, queue) = AsyncStream.makeStream(of: CallFrame.self, bufferingPolicy: .bufferingNewest(Self.relayQueueFrames))
        leg.relayed = queue
        let registry = registry, peer = leg.peer.id
        leg.tasks.append(Task {
            for await frame in frames {
                try? await registry.session(for: peer)?.send(.call(frame))
            }
        })
        return queue
    }

    /// Frames waiting to be carried to one peer (about a second of a call's media).
    static let relayQueueFrames = 256

    /// CALL_RELAY from a participant linked to us: a frame to hand on to another participant
    /// linked to us, or one handed on to us from a participant we have no link with. Both
    /// ends must be live participants of our call; anything else is ignored.
    private func relayed(_ relay: CallRelay, from contact: Contact) async {
        guard let call = current, call.id == relay.callID, !call.isEnded, let other = try? ContactID(parsing: relay.peer),
              other != ownID, other != contact.id, let carrier = call.leg(with: contact.id), !carrier.isEnded, carrier.via == nil else {
            logger.debug("CALL_RELAY from \(contact.name) for no call of ours; ignored")
            return
        }
        switch relay.direction {
        case .forwardTo:
            guard let destination = call.leg(with: other), !destination.isEnded, destination.via == nil else { return }
            let forwarded = CallRelay(callID: call.id, direction: .forwardedFrom, peer: contact.id.canonical,
                                      name: WireLimits.fitting(contact.name, maxBytes: WireLimits.maxDisplayNameBytes), frame: relay.frame)
            relayQueue(to: destination).yield(.relay(forwarded))
        case .forwardedFrom:
            let known = try? database.contacts.contact(for: other)
            if known?.trust == .blocked { return }
            let existing = call.leg(with: other)
            if let existing, !existing.isEnded, existing.via == nil { return }   // we have our own link with it
            var peer = existing?.peer ?? known ?? Contact(id: other, name: "participant \(other.short)")
            if known == nil, let name = try? ContactName.validated(relay.name) {
                peer.name = name
                existing?.peer.name = name
            }
            await handle(relay.frame, from: peer, via: carrier.peer)
        }
    }

    /// Our side of the media: audio always, video when wanted; fresh SSRCs and a fresh key.
    private func localDescription(video: Bool, settings: CallSettings) -> CallDescription {
        Self.description(audioSSRC: UInt32.random(in: 1 ... .max), videoSSRC: video ? UInt32.random(in: 1 ... .max) : nil,
                         direction: .sendReceive, settings: settings)
    }

    /// A side of the media with these SSRCs (nil: that kind is left out), each kind flowing
    /// `direction`, and a fresh key.
    static func description(audioSSRC: UInt32?, videoSSRC: UInt32?, direction: CallMediaOffer.Direction,
                            settings: CallSettings) -> CallDescription {
        var media: [CallMediaOffer] = []
        if let audioSSRC {
            media.append(CallMediaOffer(kind: .audio, direction: direction, payloadType: 111, clockRate: 48000,
                                        ssrc: audioSSRC, bitrate: UInt32(settings.audioBitrate)))
        }
        if let videoSSRC {
            media.append(CallMediaOffer(kind: .video, direction: direction, payloadType: 96, clockRate: 90000,
                                        ssrc: videoSSRC, bitrate: UInt32(settings.videoBitrate), width: 640, height: 480, frameRate: 30))
        }
        // Addresses travel as ICE candidates in CALL_CANDIDATES; the description's list stays empty.
        var generator = SystemRandomNumberGenerator()
        let key = (0 ..< CallDescription.srtpKeyLength).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
        return CallDescription(media: media, candidates: [], srtpKey: key)
    }
}

/// Whether calls from a contact are answered by themselves (`parley contacts calls NAME --auto-answer`).
public enum AutoAnswer: String, Sendable, CaseIterable {
    case off, audio, video
}

/// Limits on what a contact's call frames can make the node do.
public enum CallManagerLimits {
    /// Unanswered invitations a contact may send per minute; more are ignored (no answer, no log entry).
    public static let maxInvitesPerMinute = 10
    /// Contacts one `call start` may call (a call has at most 6 participants).
    public static let maxContactsPerCall = 5
}
