import NIOConcurrencyHelpers
import ParleyCore

/// Carries what the TLS verification callback learnt about the peer to the
/// code that runs the link once the handshake is over.
final class PeerIdentityBox: Sendable {
    private enum State { case unknown, verified(ContactID), refused(ContactID?) }
    private let state = NIOLockedValueBox(State.unknown)

    func set(_ id: ContactID) { state.withLockedValue { $0 = .verified(id) } }
    func refuse(_ presented: ContactID?) { state.withLockedValue { $0 = .refused(presented) } }

    /// The verified peer ID, once the handshake checked it.
    var verified: ContactID? {
        state.withLockedValue { if case .verified(let id) = $0 { id } else { nil } }
    }

    /// The ID a refused peer presented (for the impersonation warning).
    var refusedID: ContactID?? {
        state.withLockedValue { if case .refused(let id) = $0 { .some(id) } else { nil } }
    }
}
