import Foundation
import ParleyCore
import ParleyNode

/// Node events as the screen shows them.
extension UIController {
    func apply(_ item: UIInbox.Item) {
        needsRedraw = true
        switch item {
        case .quit:
            running = false
        case .notice(let text, let isError):
            show(text, role: isError ? .error : .dim)
        case .transfersChanged:
            reloadTransfers()
        case .status(let status):
            online = Set(status.contacts.filter(\.online).compactMap { try? ContactID(parsing: $0.id) })
        case .event(let event):
            apply(event)
        case .call(let status):
            apply(call: status)
        }
    }

    private func apply(_ event: NodeEvent) {
        let peer = event.contact.flatMap { try? ContactID(parsing: $0) }
        let isOpen = peer != nil && selection == .contact(peer!)
        switch event.event {
        case .message:
            if let peer { typingPeers[peer] = nil }
            reloadContacts()
            if isOpen {
                reloadConversation()
            } else if settings.bell {
                screen.bell()
            }
        case .receipt:
            if isOpen { reloadConversation() }
        case .presence:
            if let peer {
                if event.online == true { online.insert(peer) } else { online.remove(peer); typingPeers[peer] = nil }
            }
        case .typing:
            if let peer { typingPeers[peer] = event.online == true ? Date() : nil }
        case .contactRequest:
            reloadContacts()
            if let peer { dismissedPrompts.remove("request:" + peer.canonical) }
            if settings.bell { screen.bell() }
        case .contactRequestSent:
            show("\(event.name ?? "the contact") got our contact request (\(event.state ?? "sent"))", role: .dim)
        case .impersonation:
            show("warning: the peer at \(event.name ?? "a contact")'s address presented another key", role: .error)
        case .linkError:
            if isOpen, let detail = event.detail { show("link: \(detail)", role: .dim) }
        case .fileOffer:
            reloadTransfers()
            if settings.bell { screen.bell() }
        case .fileProgress, .fileState:
            reloadTransfers()
        case .fileComplete:
            reloadTransfers()
            let file = event.file ?? "the file"
            show(event.path.map { "\(file) received: \($0)" } ?? "\(file) sent to \(event.name ?? "the contact")")
        case .fileFailed:
            reloadTransfers()
            show("\(event.file ?? "a transfer") failed: \(event.detail ?? "unknown reason")", role: .error)
        case .callIncoming, .callRinging, .callAccepted, .callRejected, .callEnded, .deviceError, .callMedia, .callStats:
            applyCallEvent(event, peer: peer)
        }
    }
}
