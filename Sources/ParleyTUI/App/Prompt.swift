import ParleyCore

/// Something waiting for a yes or no, shown as an inline prompt under the
/// conversation and answered with Alt-Y / Alt-N.
enum Prompt: Equatable {
    case contactRequest(PendingContactRequest)
    case fileOffer(Transfer, from: String)
    /// `/remove` asks before the contact goes, with its conversation or keeping it.
    case removeContact(Contact)

    /// The key Esc uses to put the prompt aside.
    var dismissalKey: String {
        switch self {
        case .contactRequest(let request): "request:" + request.peerID.canonical
        case .fileOffer(let transfer, _): "file:" + transfer.id.uuidString
        case .removeContact(let contact): "remove:" + contact.id.canonical
        }
    }

    /// The prompt as the banner shows it (wrapped to the banner's width when drawn).
    var bannerLines: [StyledLine] {
        switch self {
        case .contactRequest(let request):
            var text = "⚑ \(request.displayName) asks to be your contact"
            if !request.note.isEmpty { text += ": “\(request.note)”" }
            return [StyledLine([StyledSpan(text, .warning),
                                StyledSpan("   Alt-Y accept · Alt-N decline · Esc later", .accent)])]
        case .removeContact(let contact):
            return [StyledLine([StyledSpan("Remove \(contact.name)? Their conversation can go too or stay readable.", .warning)]),
                    StyledLine([StyledSpan("Alt-Y remove with the conversation", .accent)]),
                    StyledLine([StyledSpan("Alt-K remove, keep the conversation · Alt-N or Esc cancel", .accent)])]
        case .fileOffer(let transfer, let name):
            let text = "⇩ \(name) offers \(transfer.fileName) (\(TransferFormatting.size(Int64(transfer.size))))"
            return [StyledLine([StyledSpan(text, .warning),
                                StyledSpan("   Alt-Y accept · Alt-N reject · Esc later · F2 files", .accent)])]
        }
    }
}
