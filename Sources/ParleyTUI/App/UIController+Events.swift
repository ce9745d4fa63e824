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
        func isOpen(_ peer: EventPeer) -> Bool { selection == .contact(peer.id) }
        // A transfer with the open contact is shown among its messages in its current state.
        if case .transfer(_, let peer, _) = event, isOpen(peer), let contact = selectedContact {
            reloadConversationTransfers(of: contact)
        }
        switch event {
        case .message(let peer, _):
            typingPeers[peer.id] = nil
            reloadContacts()
            if isOpen(peer) {
                reloadConversation()
            } else if settings.bell {
                screen.bell()
            }
        case .receipt(let peer, _, _):
            if isOpen(peer) { reloadConversation() }
        case .presence(let peer, let isOnline):
            if isOnline { online.insert(peer.id) } else { online.remove(peer.id); typingPeers[peer.id] = nil }
        case .typing(let peer, let active):
            typingPeers[peer.id] = active ? Date() : nil
        case .contactRequest(let peer, _, _):
            reloadContacts()
            dismissedPrompts.remove("request:" + peer.id.canonical)
            if settings.bell { screen.bell() }
        case .contactRequestSent(let peer, let answer):
            show("\(peer.name ?? "the contact") got our contact request (\(answer))", role: .dim)
        case .impersonation(let peer, _):
            show("warning: the peer at \(peer.name ?? "a contact")'s address presented another key", role: .error)
        case .linkError(let peer, let detail):
            if isOpen(peer) { show("link: \(detail)", role: .dim) }
        case .transfer(.offered, _, _):
            reloadTransfers()
            if settings.bell { screen.bell() }
        case .transfer(.progress, _, _), .transfer(.stateChanged, _, _):
            reloadTransfers()
        case .transfer(.completed, let peer, let transfer):
            reloadTransfers()
            if transfer.direction == .incoming {
                show("\(transfer.fileName) received: \(transfer.localPath ?? "in the download folder")")
            } else {
                show("\(transfer.fileName) sent to \(peer.name ?? name(of: peer.id))")
            }
        case .transfer(.failed, _, let transfer):
            reloadTransfers()
            show("\(transfer.fileName) failed: \(transfer.error ?? "unknown reason")", role: .error)
        case .call(let call):
            applyCallEvent(call)
        }
    }
}
