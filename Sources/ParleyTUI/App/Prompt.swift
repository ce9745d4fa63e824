import ParleyCore

/// Something waiting for a yes or no, shown as an inline prompt under the
/// conversation and answered with Alt-Y / Alt-N.
enum Prompt: Equatable {
    case contactRequest(PendingContactRequest)
    case fileOffer(Transfer, from: String)
    /// `/remove` asks before the contact and the whole conversation go.
    case removeContact(Contact)

    /// The key Esc uses to put the prompt aside.
    var dismissalKey: String {
        switch self {
        case .contactRequest(let request): "request:" + request.peerID.canonical
        case .fileOffer(let transfer, _): "file:" + transfer.id.uuidString
        case .removeContact(let contact): "remove:" + contact.id.canonical
        }
    }
}
