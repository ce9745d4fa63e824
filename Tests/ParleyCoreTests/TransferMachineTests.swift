import ParleyCore
import Testing

/// The transfer state machine as a table: direction × state × event → state and actions.
@Suite("Transfer state machine", .timeLimit(.minutes(1)))
struct TransferMachineTests {
    typealias S = TransferMachine.State
    typealias E = TransferMachine.Event
    typealias A = TransferMachine.Action

    static let size: UInt64 = 1000

    struct Row: Sendable, CustomTestStringConvertible {
        var direction: MessageDirection
        var from: S
        var event: E
        var to: S
        var actions: [A]
        var size: UInt64 = TransferMachineTests.size
        var testDescription: String { "\(direction.rawValue) \(from) + \(event) → \(to)" }
    }

    static func sender(_ from: S, _ event: E, _ to: S, _ actions: [A]) -> Row {
        Row(direction: .outgoing, from: from, event: event, to: to, actions: actions)
    }

    static func receiver(_ from: S, _ event: E, _ to: S, _ actions: [A]) -> Row {
        Row(direction: .incoming, from: from, event: event, to: to, actions: actions)
    }

    static let senderRows: [Row] = [
        sender(.offered, .localOffer, .offered, [.sendOffer]),
        sender(.offered, .linkUp, .offered, [.sendOffer]),
        sender(.active, .linkUp, .active, [.sendOffer]),
        sender(.paused(.byReceiver), .linkUp, .paused(.byReceiver), [.sendOffer]),
        // Its own pause is not re-offered, and FILE_ACCEPT does not undo it.
        sender(.paused(.bySender), .linkUp, .paused(.bySender), []),
        sender(.paused(.bySender), .peerAccepted(offset: 10), .paused(.bySender), []),
        sender(.offered, .peerAccepted(offset: 10), .active,
            [.recordAcknowledged(10), .describe(nil), .persist, .emit(.stateChanged), .startStream]),
        sender(.paused(.byReceiver), .peerAccepted(offset: 5000), .active,
            [.recordAcknowledged(size), .describe(nil), .persist, .emit(.stateChanged), .startStream]),
        sender(.active, .peerAcknowledged(offset: 300), .active, [.acknowledge(offset: 300)]),
        sender(.paused(.bySender), .peerAcknowledged(offset: 300), .paused(.bySender), []),
        sender(.offered, .localPause, .paused(.bySender),
            [.stopStream, .describe(TransferMachine.pausedBySenderText), .persist, .emit(.stateChanged), .sendPause]),
        sender(.active, .localPause, .paused(.bySender),
            [.stopStream, .describe(TransferMachine.pausedBySenderText), .persist, .emit(.stateChanged), .sendPause]),
        sender(.active, .peerPaused, .paused(.byReceiver),
            [.stopStream, .describe(TransferMachine.pausedByReceiverText), .persist, .emit(.stateChanged)]),
        sender(.paused(.bySender), .localResume, .active, [.describe(nil), .persist, .emit(.stateChanged), .sendResume]),
        sender(.active, .localCancel, .cancelled, [.stopStream, .persist, .emit(.stateChanged), .sendCancel(reason: "cancelled")]),
        sender(.offered, .peerRejected(reason: "declined"), .rejected,
            [.stopStream, .describe("the peer said: declined"), .persist, .emit(.stateChanged)]),
        sender(.active, .peerCancelled(reason: "no"), .cancelled,
            [.stopStream, .describe("the peer said: no"), .persist, .emit(.stateChanged)]),
        sender(.active, .peerCompleted(verified: true, reason: ""), .completed,
            [.stopStream, .recordAcknowledged(size), .describe(nil), .persist, .emit(.completed)]),
        sender(.active, .peerCompleted(verified: false, reason: "SHA-256 mismatch"), .failed(.peerCouldNotVerify),
            [.stopStream, .describe("the receiver could not verify the file: SHA-256 mismatch"), .persist, .emit(.failed)]),
        sender(.active, .failed(.sourceChanged, detail: "a changed"), .failed(.sourceChanged),
            [.stopStream, .describe("a changed"), .persist, .emit(.failed),
             .sendCancel(reason: "the sender's file failed: a changed")]),
        sender(.active, .linkDown, .active, [.stopStream]),
        sender(.paused(.bySender), .linkDown, .paused(.bySender), [.stopStream]),
        // Receiver-only events do nothing to a sender.
        sender(.active, .peerChunk, .active, []),
        sender(.active, .peerResumed, .active, []),
        sender(.active, .allBytesWritten, .active, []),
        sender(.active, .verified, .active, []),
        sender(.active, .diskFull(detail: "full"), .active, []),
        sender(.active, .peerOffered, .active, []),
        // Over is over.
        sender(.completed, .peerAccepted(offset: 0), .completed, []),
        sender(.cancelled, .peerCompleted(verified: true, reason: ""), .cancelled, []),
        sender(.failed(.sourceChanged), .peerPaused, .failed(.sourceChanged), []),
        sender(.completed, .linkUp, .completed, []),
    ]

    static let receiverRows: [Row] = [
        receiver(.offered, .localAccept, .accepted, [.reserveName, .persist, .emit(.stateChanged), .sendAccept]),
        Row(direction: .incoming, from: .offered, event: .localAccept, to: .accepted,
            actions: [.reserveName, .persist, .emit(.stateChanged), .verifyAndRename], size: 0),
        receiver(.offered, .localReject, .rejected, [.persist, .emit(.stateChanged), .sendReject(reason: "declined")]),
        receiver(.accepted, .peerChunk, .active, [.persist, .writeChunk]),
        receiver(.active, .peerChunk, .active, [.writeChunk]),
        receiver(.offered, .peerChunk, .offered, []),
        receiver(.paused(.byReceiver), .peerChunk, .paused(.byReceiver), []),
        receiver(.active, .allBytesWritten, .active, [.verifyAndRename]),
        receiver(.active, .verified, .completed,
                [.describe(nil), .persist, .emit(.completed), .sendComplete(verified: true, reason: "")]),
        receiver(.accepted, .verified, .completed,
                [.describe(nil), .persist, .emit(.completed), .sendComplete(verified: true, reason: "")]),
        receiver(.active, .failed(.hashMismatch, detail: "mismatch"), .failed(.hashMismatch),
                [.closeWriter, .describe("mismatch"), .persist, .emit(.failed),
                 .sendComplete(verified: false, reason: "SHA-256 mismatch")]),
        receiver(.active, .failed(.finishFailed, detail: "no rename"), .failed(.finishFailed),
                [.closeWriter, .describe("no rename"), .persist, .emit(.failed),
                 .sendComplete(verified: false, reason: "no rename")]),
        receiver(.active, .failed(.writeFailed, detail: "bad chunk"), .failed(.writeFailed),
                [.closeWriter, .describe("bad chunk"), .persist, .emit(.failed), .sendCancel(reason: "bad chunk")]),
        receiver(.active, .diskFull(detail: "full"), .paused(.diskFull),
                [.closeWriter, .describe("full"), .persist, .emit(.failed), .sendPause]),
        receiver(.paused(.diskFull), .localResume, .accepted, [.describe(nil), .persist, .emit(.stateChanged), .sendAccept]),
        receiver(.active, .localPause, .paused(.byReceiver),
                [.closeWriter, .describe(nil), .persist, .emit(.stateChanged), .sendPause]),
        receiver(.paused(.byReceiver), .localResume, .accepted,
                [.describe(nil), .persist, .emit(.stateChanged), .sendAccept]),
        // The sender's pause only stops the part file; its resume asks for the rest.
        receiver(.active, .peerPaused, .active, [.closeWriter]),
        receiver(.active, .peerResumed, .active, [.sendAccept]),
        receiver(.paused(.byReceiver), .peerResumed, .paused(.byReceiver), []),
        receiver(.accepted, .linkUp, .accepted, [.sendAccept]),
        receiver(.offered, .linkUp, .offered, []),
        receiver(.paused(.diskFull), .linkUp, .paused(.diskFull), []),
        receiver(.active, .linkDown, .active, [.closeWriter]),
        receiver(.active, .localCancel, .cancelled,
                [.closeWriter, .deletePartFile, .persist, .emit(.stateChanged), .sendCancel(reason: "cancelled")]),
        receiver(.active, .peerCancelled(reason: "gone"), .cancelled,
                [.closeWriter, .deletePartFile, .describe("the peer said: gone"), .persist, .emit(.stateChanged)]),
        // A re-sent offer is answered from where the transfer is.
        receiver(.active, .peerOffered, .active, [.sendAccept]),
        receiver(.completed, .peerOffered, .completed, [.sendComplete(verified: true, reason: "")]),
        receiver(.rejected, .peerOffered, .rejected, [.sendReject(reason: "declined")]),
        receiver(.cancelled, .peerOffered, .cancelled, [.sendCancel(reason: "cancelled")]),
        receiver(.offered, .peerOffered, .offered, []),
        receiver(.paused(.byReceiver), .peerOffered, .paused(.byReceiver), []),
        receiver(.failed(.hashMismatch), .peerOffered, .failed(.hashMismatch), []),
        // Sender-only events do nothing to a receiver.
        receiver(.active, .peerAccepted(offset: 0), .active, []),
        receiver(.active, .peerAcknowledged(offset: 10), .active, []),
        receiver(.active, .peerCompleted(verified: true, reason: ""), .active, []),
        receiver(.offered, .localOffer, .offered, []),
        // Over is over.
        receiver(.completed, .peerChunk, .completed, []),
        receiver(.completed, .diskFull(detail: "full"), .completed, []),
        receiver(.cancelled, .verified, .cancelled, []),
    ]

    @Test(arguments: senderRows + receiverRows)
    func transition(_ row: Row) {
        var machine = TransferMachine(direction: row.direction, size: row.size, state: row.from)
        let actions = machine.handle(row.event)
        #expect(machine.state == row.to)
        #expect(actions == row.actions)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var direction: MessageDirection
        var from: S
        var event: E
        var refusal: TransferRefusal
        var testDescription: String { "\(direction.rawValue) \(from) + \(event) refused: \(refusal)" }
    }

    /// Requests of the user that do not apply are refused, saying why, and change nothing.
    static let refusals: [Refusal] = [
        Refusal(direction: .outgoing, from: .offered, event: .localAccept, refusal: .notIncoming),
        Refusal(direction: .outgoing, from: .offered, event: .localReject, refusal: .notIncoming),
        Refusal(direction: .incoming, from: .accepted, event: .localAccept, refusal: .wrongState(wanted: "offered")),
        Refusal(direction: .incoming, from: .completed, event: .localReject, refusal: .wrongState(wanted: "offered")),
        Refusal(direction: .outgoing, from: .paused(.byReceiver), event: .localResume, refusal: .pausedByPeer),
        Refusal(direction: .outgoing, from: .active, event: .localResume, refusal: .wrongState(wanted: "paused")),
        Refusal(direction: .incoming, from: .failed(.hashMismatch), event: .localResume, refusal: .wrongState(wanted: "paused")),
        Refusal(direction: .outgoing, from: .paused(.bySender), event: .localPause, refusal: .wrongState(wanted: "running")),
        Refusal(direction: .incoming, from: .offered, event: .localPause, refusal: .wrongState(wanted: "accepted or active")),
        Refusal(direction: .incoming, from: .paused(.diskFull), event: .localPause,
                refusal: .wrongState(wanted: "accepted or active")),
        Refusal(direction: .outgoing, from: .completed, event: .localCancel, refusal: .wrongState(wanted: "unfinished")),
        Refusal(direction: .incoming, from: .rejected, event: .localCancel, refusal: .wrongState(wanted: "unfinished")),
        Refusal(direction: .incoming, from: .completed, event: .peerChunk, refusal: .notApplicable),
    ]

    @Test(arguments: refusals)
    func refusal(_ row: Refusal) {
        var machine = TransferMachine(direction: row.direction, size: Self.size, state: row.from)
        #expect(machine.apply(row.event) == .failure(row.refusal))
        #expect(machine.state == row.from)
    }

    static let allStates: [S] = [.offered, .accepted, .active, .completed, .rejected, .cancelled]
        + TransferPauseReason.allCases.map(S.paused) + TransferFailureReason.allCases.map(S.failed)
    static let allEvents: [E] = [
        .localOffer, .localAccept, .localReject, .localPause, .localResume, .localCancel,
        .peerOffered, .peerAccepted(offset: 0), .peerAccepted(offset: .max), .peerRejected(reason: ""),
        .peerCancelled(reason: "x"), .peerPaused, .peerResumed, .peerChunk, .peerAcknowledged(offset: .max),
        .peerCompleted(verified: true, reason: ""), .peerCompleted(verified: false, reason: "x"),
        .linkUp, .linkDown, .allBytesWritten, .verified, .diskFull(detail: "x"),
    ] + TransferFailureReason.allCases.map { E.failed($0, detail: "x") }

    /// Every event in every state, both ways, empty file or not: nothing traps, what is over
    /// stays over and asks for nothing, a change of state is stored, and the I/O of one side
    /// is never asked of the other.
    @Test func everyCombinationIsSafe() {
        for direction in [MessageDirection.outgoing, .incoming] {
            for size in [0, Self.size, .max] {
                for state in Self.allStates {
                    for event in Self.allEvents {
                        var machine = TransferMachine(direction: direction, size: size, state: state)
                        let result = machine.apply(event)
                        let actions = (try? result.get()) ?? []
                        if state.isFinal { #expect(actions.allSatisfy(Self.isReply), "\(state) + \(event)") }
                        if state.isFinal && !Self.isLocal(event) { #expect(machine.state == state) }
                        if case .failure = result { #expect(machine.state == state && actions.isEmpty) }
                        if machine.state != state { #expect(actions.contains(.persist), "\(state) + \(event)") }
                        if case .failure(let refusal) = result, refusal != .notApplicable {
                            #expect(Self.isLocal(event), "only the user's requests are refused with a reason")
                        }
                        for action in actions {
                            if case .recordAcknowledged(let offset) = action { #expect(offset <= size) }
                        }
                        let senderOnly: [A] = [.sendOffer, .sendResume, .startStream, .stopStream]
                        let receiverOnly: [A] = [.sendAccept, .reserveName, .writeChunk, .closeWriter,
                                                 .verifyAndRename, .deletePartFile]
                        let forbidden = direction == .outgoing ? receiverOnly : senderOnly
                        #expect(!actions.contains { forbidden.contains($0) }, "\(direction) \(state) + \(event)")
                        if actions.contains(.startStream) { #expect(machine.state == .active) }
                        if actions.contains(.writeChunk) { #expect(machine.state == .active) }
                    }
                }
            }
        }
    }

    /// A final state answers a re-sent offer and nothing else.
    static func isReply(_ action: A) -> Bool {
        switch action {
        case .sendComplete(verified: true, _), .sendReject, .sendCancel: true
        default: false
        }
    }

    static func isLocal(_ event: E) -> Bool {
        switch event {
        case .localOffer, .localAccept, .localReject, .localPause, .localResume, .localCancel: true
        default: false
        }
    }

    @Test func storedStateRoundTripsWithItsReason() {
        for direction in [MessageDirection.outgoing, .incoming] {
            for state in Self.allStates {
                var transfer = Transfer(contactID: ContactID(subjectPublicKeyInfo: [1]), direction: direction,
                                        fileName: "f", localPath: nil, size: 1, sha256: "", state: .offered)
                transfer.take(state)
                #expect(TransferMachine(transfer).state == state)
                #expect(transfer.pauseReason == state.pauseReason && transfer.failureReason == state.failureReason)
            }
        }
        // A pause stored without its reason is the user's own.
        #expect(TransferMachine.State(.paused, pauseReason: nil, failureReason: nil, direction: .outgoing) == .paused(.bySender))
        #expect(TransferMachine.State(.paused, pauseReason: nil, failureReason: nil, direction: .incoming) == .paused(.byReceiver))
        #expect(TransferMachine.State(.failed, pauseReason: nil, failureReason: nil, direction: .incoming) == .failed(.other))
    }
}
