/// The life of one file transfer, as a pure state machine: `apply(_:)` maps (state, event)
/// to the new state and the actions its owner carries out, in order (frames to send, the
/// stream or part file to start or stop, what to store and announce). No I/O, no clocks,
/// no file bytes: the owner turns commands, frames and I/O results into events.
///
/// Requests of the user that do not apply are refused with a ``TransferRefusal``; peer,
/// link and local events that do not apply change nothing and ask for nothing.
public struct TransferMachine: Sendable, Equatable {
    /// Where the transfer is; the stored ``TransferState`` with its typed reason.
    public enum State: Sendable, Equatable {
        /// Offered; the receiver has not answered.
        case offered
        /// Receiver: accepted (a name is reserved); no bytes since.
        case accepted
        /// Bytes flow (or will, once the link is up).
        case active
        /// Paused, and why (which decides who may resume).
        case paused(TransferPauseReason)
        /// Received, verified and in place.
        case completed
        /// Over, unfinished, and why.
        case failed(TransferFailureReason)
        /// The receiver declined the offer.
        case rejected
        /// One side cancelled.
        case cancelled

        /// The state as stored.
        public var stored: TransferState {
            switch self {
            case .offered: .offered
            case .accepted: .accepted
            case .active: .active
            case .paused: .paused
            case .completed: .completed
            case .failed: .failed
            case .rejected: .rejected
            case .cancelled: .cancelled
            }
        }

        public var pauseReason: TransferPauseReason? { if case .paused(let reason) = self { reason } else { nil } }
        public var failureReason: TransferFailureReason? { if case .failed(let reason) = self { reason } else { nil } }
        /// Whether the transfer is over for good.
        public var isFinal: Bool { stored.isFinal }

        /// The state of a stored transfer. A pause or failure stored without its reason (which
        /// the schema does not allow since migration 0009) counts as the user's own pause, or `other`.
        public init(_ stored: TransferState, pauseReason: TransferPauseReason?,
                    failureReason: TransferFailureReason?, direction: MessageDirection) {
            switch stored {
            case .offered: self = .offered
            case .accepted: self = .accepted
            case .active: self = .active
            case .paused: self = .paused(pauseReason ?? (direction == .outgoing ? .bySender : .byReceiver))
            case .completed: self = .completed
            case .failed: self = .failed(failureReason ?? .other)
            case .rejected: self = .rejected
            case .cancelled: self = .cancelled
            }
        }
    }

    /// Something that happened to the transfer.
    public enum Event: Sendable, Equatable {
        /// Sender: the user's offer was just stored.
        case localOffer
        /// Receiver: the user accepts the offer.
        case localAccept
        /// Receiver: the user declines the offer.
        case localReject
        /// The user pauses the transfer.
        case localPause
        /// The user resumes the transfer.
        case localResume
        /// The user cancels the transfer.
        case localCancel

        /// Receiver: FILE_OFFER again, for a transfer we already have (after a reconnect).
        case peerOffered
        /// Sender: FILE_ACCEPT from this offset.
        case peerAccepted(offset: UInt64)
        /// FILE_REJECT, with the peer's words.
        case peerRejected(reason: String)
        /// FILE_CANCEL, with the peer's words.
        case peerCancelled(reason: String)
        /// FILE_PAUSE.
        case peerPaused
        /// Receiver: FILE_RESUME.
        case peerResumed
        /// Receiver: a FILE_CHUNK (already checked to lie within the size).
        case peerChunk
        /// Sender: FILE_ACK up to this offset (already checked to lie within the size).
        case peerAcknowledged(offset: UInt64)
        /// Sender: FILE_COMPLETE, verified or not.
        case peerCompleted(verified: Bool, reason: String)

        /// A link to the peer is up.
        case linkUp
        /// The link to the peer went down.
        case linkDown

        /// Receiver: the last byte is written.
        case allBytesWritten
        /// Receiver: the SHA-256 matched and the file has its final name.
        case verified
        /// Receiver: the disk is full (what was written is kept); the words for people.
        case diskFull(detail: String)
        /// Something on our side failed for good; the words for people.
        case failed(TransferFailureReason, detail: String)
    }

    /// What happened, for the node's event stream.
    public enum Notice: Sendable, Equatable {
        case stateChanged
        case completed
        case failed
    }

    /// What the owner does after a transition, in order.
    public enum Action: Sendable, Equatable {
        /// FILE_OFFER, if a link that carries files is up.
        case sendOffer
        /// FILE_ACCEPT from the durable offset.
        case sendAccept
        case sendReject(reason: String)
        case sendCancel(reason: String)
        case sendPause
        case sendResume
        case sendComplete(verified: Bool, reason: String)
        /// Receiver: pick a free final name and claim its part file in the chosen folder.
        case reserveName
        /// Sender: start (or restart) the stream from the acknowledged offset.
        case startStream
        /// Sender: stop the running stream, if any.
        case stopStream
        /// Sender: an acknowledgement for the running stream (window and progress).
        case acknowledge(offset: UInt64)
        /// Receiver: write the chunk at hand (opening the part file if needed).
        case writeChunk
        /// Receiver: flush and close the part file, recording its durable offset.
        case closeWriter
        /// Receiver: all bytes are in: compare the SHA-256, move the file to its final name.
        case verifyAndRename
        /// Receiver: delete the part file.
        case deletePartFile
        /// Sender: the peer confirmed this many bytes.
        case recordAcknowledged(UInt64)
        /// The words shown with the state (nil clears them); display only.
        case describe(String?)
        /// Store the transfer as it now is.
        case persist
        /// Announce on the node's event stream.
        case emit(Notice)
    }

    /// Shown with a transfer its sender paused.
    public static let pausedBySenderText = "paused by the sender"
    /// Shown at the sender with a transfer its receiver paused.
    public static let pausedByReceiverText = "paused by the receiver"

    public let direction: MessageDirection
    /// The offered size in bytes.
    public let size: UInt64
    public private(set) var state: State

    public init(direction: MessageDirection, size: UInt64, state: State) {
        self.direction = direction
        self.size = size
        self.state = state
    }

    /// The machine of a stored transfer.
    public init(_ transfer: Transfer) {
        self.init(direction: transfer.direction, size: transfer.size,
                  state: State(transfer.state, pauseReason: transfer.pauseReason,
                               failureReason: transfer.failureReason, direction: transfer.direction))
    }

    /// Applies `event`: the actions to carry out, or why a request of the user is refused
    /// (the state is then unchanged). Never traps, whatever the state and event.
    public mutating func apply(_ event: Event) -> Result<[Action], TransferRefusal> {
        switch transition(event) {
        case .success(let (next, actions)):
            state = next
            return .success(actions)
        case .failure(let refusal):
            return .failure(refusal)
        }
    }

    /// Applies `event`; returns the actions to carry out, none if it does not apply.
    @discardableResult
    public mutating func handle(_ event: Event) -> [Action] {
        (try? apply(event).get()) ?? []
    }

    private typealias Step = Result<(State, [Action]), TransferRefusal>

    private var outgoing: Bool { direction == .outgoing }

    /// Stops whatever runs for the transfer on this side.
    private var stopRunning: Action { outgoing ? .stopStream : .closeWriter }

    private func transition(_ event: Event) -> Step {
        switch event {
        case .localOffer:
            return outgoing && state == .offered ? stay([.sendOffer]) : .failure(.notApplicable)
        case .localAccept:
            guard !outgoing else { return .failure(.notIncoming) }
            guard state == .offered else { return .failure(.wrongState(wanted: "offered")) }
            let start: Action = size == 0 ? .verifyAndRename : .sendAccept
            return .success((.accepted, [.reserveName, .persist, .emit(.stateChanged), start]))
        case .localReject:
            guard !outgoing else { return .failure(.notIncoming) }
            guard state == .offered else { return .failure(.wrongState(wanted: "offered")) }
            return .success((.rejected, [.persist, .emit(.stateChanged), .sendReject(reason: "declined")]))
        case .localPause:
            return pause()
        case .localResume:
            return resume()
        case .localCancel:
            guard !state.isFinal else { return .failure(.wrongState(wanted: "unfinished")) }
            let cleanUp: [Action] = outgoing ? [.stopStream] : [.closeWriter, .deletePartFile]
            return .success((.cancelled, cleanUp + [.persist, .emit(.stateChanged), .sendCancel(reason: "cancelled")]))

        case .peerOffered:
            return answerReoffer()
        case .peerAccepted(let offset):
            guard outgoing, !state.isFinal, state != .paused(.bySender) else { return .failure(.notApplicable) }
            return .success((.active, [.recordAcknowledged(min(offset, size)), .describe(nil), .persist,
                                       .emit(.stateChanged), .startStream]))
        case .peerRejected(let reason), .peerCancelled(let reason):
            guard !state.isFinal else { return .failure(.notApplicable) }
            let next: State = if case .peerRejected = event { .rejected } else { .cancelled }
            let cleanUp: [Action] = outgoing ? [.stopStream] : [.closeWriter, .deletePartFile]
            return .success((next, cleanUp + [.describe("the peer said: \(reason)"), .persist, .emit(.stateChanged)]))
        case .peerPaused:
            guard !state.isFinal else { return .failure(.notApplicable) }
            // A receiver keeps its state: the sender's pause only stops the part file.
            guard outgoing else { return stay([.closeWriter]) }
            return .success((.paused(.byReceiver), [.stopStream, .describe(Self.pausedByReceiverText), .persist,
                                                    .emit(.stateChanged)]))
        case .peerResumed:
            return !outgoing && isReceiving ? stay([.sendAccept]) : .failure(.notApplicable)
        case .peerChunk:
            guard !outgoing else { return .failure(.notApplicable) }
            switch state {
            case .accepted: return .success((.active, [.persist, .writeChunk]))
            case .active: return stay([.writeChunk])
            default: return .failure(.notApplicable)
            }
        case .peerAcknowledged(let offset):
            return outgoing && state == .active ? stay([.acknowledge(offset: offset)]) : .failure(.notApplicable)
        case .peerCompleted(let verified, let reason):
            guard outgoing, !state.isFinal else { return .failure(.notApplicable) }
            if verified {
                return .success((.completed, [.stopStream, .recordAcknowledged(size), .describe(nil), .persist,
                                              .emit(.completed)]))
            }
            return .success((.failed(.peerCouldNotVerify), [
                .stopStream, .describe("the receiver could not verify the file: \(reason)"), .persist, .emit(.failed),
            ]))

        case .linkUp:
            return linkUp()
        case .linkDown:
            return state.isFinal ? .failure(.notApplicable) : stay([stopRunning])

        case .allBytesWritten:
            return !outgoing && isReceiving ? stay([.verifyAndRename]) : .failure(.notApplicable)
        case .verified:
            guard !outgoing, isReceiving else { return .failure(.notApplicable) }
            return .success((.completed, [.describe(nil), .persist, .emit(.completed),
                                          .sendComplete(verified: true, reason: "")]))
        case .diskFull(let detail):
            guard !outgoing, isReceiving else { return .failure(.notApplicable) }
            return .success((.paused(.diskFull), [.closeWriter, .describe(detail), .persist, .emit(.failed), .sendPause]))
        case .failed(let reason, let detail):
            guard !state.isFinal else { return .failure(.notApplicable) }
            return .success((.failed(reason), [stopRunning, .describe(detail), .persist, .emit(.failed),
                                               tellPeer(failure: reason, detail: detail)]))
        }
    }

    /// Receiver: a name is reserved and bytes may arrive.
    private var isReceiving: Bool { state == .accepted || state == .active }

    private func stay(_ actions: [Action]) -> Step { .success((state, actions)) }

    private func pause() -> Step {
        if outgoing {
            guard state == .offered || state == .active else { return .failure(.wrongState(wanted: "running")) }
            return .success((.paused(.bySender), [.stopStream, .describe(Self.pausedBySenderText), .persist,
                                                  .emit(.stateChanged), .sendPause]))
        }
        guard isReceiving else { return .failure(.wrongState(wanted: "accepted or active")) }
        return .success((.paused(.byReceiver), [.closeWriter, .describe(nil), .persist, .emit(.stateChanged), .sendPause]))
    }

    /// Only the side that paused resumes; after a full disk, the receiver does.
    private func resume() -> Step {
        guard case .paused(let reason) = state else { return .failure(.wrongState(wanted: "paused")) }
        if outgoing {
            guard reason != .byReceiver else { return .failure(.pausedByPeer) }
            return .success((.active, [.describe(nil), .persist, .emit(.stateChanged), .sendResume]))
        }
        return .success((.accepted, [.describe(nil), .persist, .emit(.stateChanged), .sendAccept]))
    }

    /// Receiver: a re-sent offer is answered from where the transfer is.
    private func answerReoffer() -> Step {
        guard !outgoing else { return .failure(.notApplicable) }
        switch state {
        case .accepted, .active: return stay([.sendAccept])
        case .completed: return stay([.sendComplete(verified: true, reason: "")])
        case .rejected: return stay([.sendReject(reason: "declined")])
        case .cancelled: return stay([.sendCancel(reason: "cancelled")])
        case .offered, .paused, .failed: return .failure(.notApplicable)
        }
    }

    /// A new link: the sender offers again (unless it paused the transfer itself), the
    /// receiver asks for the rest.
    private func linkUp() -> Step {
        switch (direction, state) {
        case (.outgoing, .paused(.bySender)): return .failure(.notApplicable)
        case (.outgoing, .offered), (.outgoing, .active), (.outgoing, .paused): return stay([.sendOffer])
        case (.incoming, .accepted), (.incoming, .active): return stay([.sendAccept])
        default: return .failure(.notApplicable)
        }
    }

    /// The frame that tells the peer a transfer failed here.
    private func tellPeer(failure reason: TransferFailureReason, detail: String) -> Action {
        if outgoing { return .sendCancel(reason: "the sender's file failed: \(detail)") }
        switch reason {
        case .hashMismatch: return .sendComplete(verified: false, reason: "SHA-256 mismatch")
        case .finishFailed: return .sendComplete(verified: false, reason: detail)
        default: return .sendCancel(reason: detail)
        }
    }
}

extension Transfer {
    /// Writes the machine's state (with its reason) into the stored fields.
    public mutating func take(_ state: TransferMachine.State) {
        self.state = state.stored
        pauseReason = state.pauseReason
        failureReason = state.failureReason
    }
}
