import ParleyCore
import Testing

/// The call state machine as a table: state × event → state and actions.
@Suite("Call state machine")
struct CallMachineTests {
    typealias S = CallMachine.State
    typealias E = CallMachine.Event
    typealias A = CallMachine.Action

    /// A machine driven into `state` through real transitions.
    static func machine(in state: S) -> CallMachine {
        switch state {
        case .calling: return CallMachine(direction: .outgoing)
        case .ringingOut:
            var machine = CallMachine(direction: .outgoing)
            machine.handle(.peerRinging)
            return machine
        case .ringingIn: return CallMachine(direction: .incoming)
        case .connecting:
            var machine = CallMachine(direction: .incoming)
            machine.handle(.localAccept)
            return machine
        case .active:
            var machine = machine(in: .connecting)
            machine.handle(.mediaArrived)
            return machine
        case .ended:
            var machine = CallMachine(direction: .incoming)
            machine.handle(.localReject)
            return machine
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var from: S
        var event: E
        var to: S
        var actions: [A]
        var testDescription: String { "\(from.name) + \(event) → \(to.name)" }
    }

    static let rows: [Row] = [
        Row(from: .calling, event: .peerRinging, to: .ringingOut, actions: []),
        Row(from: .calling, event: .peerAccepted, to: .connecting, actions: [.stopRingTimer, .startMedia]),
        Row(from: .ringingOut, event: .peerAccepted, to: .connecting, actions: [.stopRingTimer, .startMedia]),
        Row(from: .ringingOut, event: .peerRejected(.declined), to: .ended(CallEnd(.declined, byPeer: true)), actions: [.stopRingTimer]),
        Row(from: .calling, event: .peerRejected(.busy), to: .ended(CallEnd(.busy, byPeer: true)), actions: [.stopRingTimer]),
        Row(from: .ringingOut, event: .peerRejected(.unavailable), to: .ended(CallEnd(.unavailable, byPeer: true)), actions: [.stopRingTimer]),
        Row(from: .ringingOut, event: .ringTimeout, to: .ended(CallEnd(.noAnswer)), actions: [.sendCancel]),
        Row(from: .calling, event: .ringTimeout, to: .ended(CallEnd(.noAnswer)), actions: [.sendCancel]),
        Row(from: .ringingOut, event: .localHangup, to: .ended(CallEnd(.cancelled, byPeer: false)), actions: [.stopRingTimer, .sendCancel]),
        Row(from: .ringingOut, event: .linkDown, to: .ended(CallEnd(.connectionLost)), actions: [.stopRingTimer]),
        Row(from: .calling, event: .failed("x"), to: .ended(CallEnd(.failed, detail: "x")), actions: [.stopRingTimer, .sendCancel]),
        Row(from: .ringingOut, event: .localAccept, to: .ringingOut, actions: []),
        Row(from: .ringingOut, event: .peerCancelled, to: .ringingOut, actions: []),
        Row(from: .ringingOut, event: .mediaArrived, to: .ringingOut, actions: []),

        Row(from: .ringingIn, event: .localAccept, to: .connecting, actions: [.stopRingTimer, .sendAccept, .startMedia]),
        Row(from: .ringingIn, event: .localReject, to: .ended(CallEnd(.declined, byPeer: false)), actions: [.stopRingTimer, .sendReject(.declined)]),
        Row(from: .ringingIn, event: .peerCancelled, to: .ended(CallEnd(.cancelled, byPeer: true)), actions: [.stopRingTimer]),
        Row(from: .ringingIn, event: .ringTimeout, to: .ended(CallEnd(.noAnswer)), actions: []),
        Row(from: .ringingIn, event: .linkDown, to: .ended(CallEnd(.connectionLost)), actions: [.stopRingTimer]),
        Row(from: .ringingIn, event: .failed("no device"), to: .ended(CallEnd(.failed, detail: "no device")), actions: [.stopRingTimer, .sendReject(.unavailable)]),
        Row(from: .ringingIn, event: .peerAccepted, to: .ringingIn, actions: []),
        Row(from: .ringingIn, event: .peerHungUp(.hungUp), to: .ringingIn, actions: []),

        Row(from: .connecting, event: .mediaArrived, to: .active, actions: []),
        Row(from: .connecting, event: .localHangup, to: .ended(CallEnd(.hungUp, byPeer: false)), actions: [.sendHangup(.hungUp), .stopMedia]),
        Row(from: .connecting, event: .connectionLost, to: .ended(CallEnd(.connectionLost)), actions: [.sendHangup(.connectionLost), .stopMedia]),
        Row(from: .connecting, event: .linkDown, to: .connecting, actions: []),
        Row(from: .active, event: .localHangup, to: .ended(CallEnd(.hungUp, byPeer: false)), actions: [.sendHangup(.hungUp), .stopMedia]),
        Row(from: .active, event: .peerHungUp(.hungUp), to: .ended(CallEnd(.hungUp, byPeer: true)), actions: [.stopMedia]),
        Row(from: .active, event: .peerHungUp(.connectionLost), to: .ended(CallEnd(.connectionLost, byPeer: true)), actions: [.stopMedia]),
        Row(from: .active, event: .connectionLost, to: .ended(CallEnd(.connectionLost)), actions: [.sendHangup(.connectionLost), .stopMedia]),
        Row(from: .active, event: .failed("camera"), to: .ended(CallEnd(.failed, detail: "camera")), actions: [.sendHangup(.failed), .stopMedia]),
        // A dropped link alone does not end a call whose media flows.
        Row(from: .active, event: .linkDown, to: .active, actions: []),
        Row(from: .active, event: .mediaArrived, to: .active, actions: []),
        Row(from: .active, event: .ringTimeout, to: .active, actions: []),
        Row(from: .active, event: .localAccept, to: .active, actions: []),

        // Ended is final.
        Row(from: .ended(CallEnd(.declined, byPeer: false)), event: .peerAccepted, to: .ended(CallEnd(.declined, byPeer: false)), actions: []),
        Row(from: .ended(CallEnd(.declined, byPeer: false)), event: .localHangup, to: .ended(CallEnd(.declined, byPeer: false)), actions: []),
    ]

    @Test(arguments: rows)
    func transition(_ row: Row) {
        var machine = Self.machine(in: row.from)
        #expect(machine.state == row.from)
        let actions = machine.handle(row.event)
        #expect(machine.state == row.to)
        #expect(actions == row.actions)
    }

    /// Every event in every state: nothing traps, an ended call stays ended, and a call
    /// that is answered never goes back to ringing.
    @Test func everyCombinationIsSafe() {
        let states: [S] = [.calling, .ringingOut, .ringingIn, .connecting, .active, .ended(CallEnd(.declined, byPeer: false))]
        let events: [E] = [.peerRinging, .peerAccepted, .peerRejected(.busy), .peerCancelled, .peerHungUp(.hungUp),
                           .localAccept, .localReject, .localHangup, .ringTimeout, .mediaArrived, .linkDown,
                           .connectionLost, .failed("x")]
        for state in states {
            for event in events {
                var machine = Self.machine(in: state)
                let actions = machine.handle(event)
                if state.isEnded { #expect(machine.state == state && actions.isEmpty) }
                if state.isAnswered { #expect(!machine.state.isRinging) }
                // Media starts only on answering and stops only when an answered call ends.
                if actions.contains(.startMedia) { #expect(machine.state == .connecting) }
                if actions.contains(.stopMedia) { #expect(state.isAnswered && machine.state.isEnded) }
            }
        }
    }
}
