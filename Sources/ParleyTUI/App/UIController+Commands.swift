import Foundation
import ParleyCore
import ParleyNode

/// What Enter does: send the line as a message or run the `/` command.
extension UIController {
    func submit() {
        let line = editor.text
        switch CommandParser.parse(line) {
        case .empty:
            return
        case .invalid(let reason):
            show(reason, role: .error)  // the line stays, to be corrected
        case .command(let command):
            inputHistory.record(line)
            _ = editor.take()
            run(command)
        case .message(let text):
            guard let contact = selectedContact else {
                show("open a conversation first (Tab), or add a contact: /add ID NAME [HOST:PORT]", role: .warning)
                return
            }
            do {
                try node.sendMessage(text, to: contact.id.canonical)
                sendToTheRestOfTheCall(text, besides: contact.id.grouped)
                inputHistory.record(line)
                _ = editor.take()
                stopTyping()
                scrollback.scrollToBottom()
                highlighted = nil
                reloadConversation()
            } catch {
                showError(error)
            }
        }
    }

    /// In a group call, the chat of a participant's conversation belongs to the call: the
    /// message goes to every other participant that is a contact too (each sees it in its
    /// conversation with us).
    private func sendToTheRestOfTheCall(_ text: String, besides contact: String) {
        guard let call, ["connecting", "active"].contains(call.state) else { return }
        let live = call.liveParticipants
        guard live.count > 1, live.contains(where: { $0.contact == contact }) else { return }
        var reached: [String] = [], missed: [String] = []
        for participant in live where participant.contact != contact {
            if participant.via == nil, (try? node.sendMessage(text, to: participant.contact)) != nil {
                reached.append(participant.name)
            } else {
                missed.append(participant.name)
            }
        }
        let names = ([selectedContact?.name ?? ""] + reached).filter { !$0.isEmpty }.joined(separator: ", ")
        show("sent to the call: \(names)" + (missed.isEmpty ? "" : " (not to \(missed.joined(separator: ", ")): not a contact)"), role: .dim)
    }

    func run(_ command: SlashCommand) {
        do {
            try perform(command)
        } catch {
            showError(error)
        }
        needsRedraw = true
    }

    private func perform(_ command: SlashCommand) throws {
        switch command {
        case .help:
            panel = .help(firstLine: 0)
        case .add(let id, let name, let address):
            let contact = try contactService.add(id: id, name: name, addresses: address.map { [$0] } ?? [])
            contactsChanged()
            select(.contact(contact.id))
            show("added \(contact.name); if they do not have you yet, they get a contact request")
        case .accept(let reference):
            let reference = try requestReference(reference)
            let contact = try contactService.accept(reference)
            contactsChanged()
            select(.contact(contact.id))
            show("\(contact.name) is now a contact")
        case .decline(let reference):
            let request = try contactService.decline(try requestReference(reference))
            contactsChanged()
            show("declined the request from \(request.displayName)", role: .dim)
        case .rename(let newName):
            let contact = try requireContact()
            let renamed = try contactService.rename(contact.id.canonical, to: newName)
            contactsChanged()
            show("\(contact.name) is now called \(renamed.name)")
        case .block(let reference):
            let contact = try contactService.setTrust(try contactReference(reference), to: .blocked)
            contactsChanged()
            show("blocked \(contact.name): nothing from them gets in (/unblock to undo)", role: .warning)
        case .unblock(let reference):
            let contact = try contactService.setTrust(try contactReference(reference), to: .unverified)
            contactsChanged()
            show("unblocked \(contact.name)")
        case .remove(let reference):
            // Asked first (the banner): the whole conversation goes with the contact.
            pendingRemoval = try contactService.resolve(try contactReference(reference))
        case .address(let action, let text):
            let contact = try requireContact()
            var updated = contact
            switch action {
            case .list: break
            case .add: updated = try contactService.addAddress(contact.id.canonical, address: text ?? "")
            case .remove: updated = try contactService.removeAddress(contact.id.canonical, address: text ?? "")
            }
            if action != .list { contactsChanged() }
            let list = updated.addresses.map(\.description).joined(separator: ", ")
            show(list.isEmpty ? "\(contact.name) has no address: /address add HOST[:PORT]" : "\(contact.name) is dialled at \(list)",
                 role: action == .list ? .dim : .success)
        case .nick(let name):
            let validated = try ContactName.validated(name)
            try database.settings.set(validated, for: SettingKeys.displayName)
            show("your contacts now see you as \(validated) (from their next link with you)")
        case .id:
            panel = .identity
        case .set(let key, let value):
            let file = ConfigurationFile(url: node.profile.paths.configFile)
            guard let value else {
                let current = try file.load().values[key]
                show(current.map { "\(key) = \($0)" } ?? "\(key) is not set (its default applies)", role: .dim)
                return
            }
            try file.set(key, to: value)
            show("\(key) = \(value) (calls use it from the next one; other settings when the node starts again)")
        case .verify(let confirmed):
            let contact = try requireContact()
            if confirmed {
                _ = try contactService.setTrust(contact.id.canonical, to: .verified)
                contactsChanged()
                show("\(contact.name)'s ID is marked as verified")
            } else {
                panel = .verify(contact)
            }
        case .send(let path):
            let contact = try requireContact()
            offer(path: NSString(string: path).expandingTildeInPath, to: contact)
        case .files:
            panel = .files(selected: 0)
        case .me(let action):
            let contact = try requireContact()
            try node.sendMessage(ConversationFormatter.actionPrefix + action, to: contact.id.canonical)
            stopTyping()
            scrollback.scrollToBottom()
            reloadConversation()
        case .search(let query):
            panel = .search(runSearch(query, in: selectedContact))
        case .call:
            try startCall(video: false)
        case .videoCall:
            try startCall(video: true)
        case .answer(let audioOnly):
            answerCall(audioOnly: audioOnly)
        case .hangup:
            try hangUpCall()
        case .invite(let who):
            try inviteIntoCall(who)
        case .broadcast(let who):
            startBroadcast(to: who)
        case .broadcastStop:
            stopBroadcast()
        case .watch(let who):
            try watchBroadcast(who)
        case .mute:
            try toggleCallMedia(.microphone)
        case .camera:
            try toggleCallMedia(.camera)
        case .deafen:
            try toggleCallMedia(.sound)
        case .hide:
            try toggleCallMedia(.video)
        case .stats:
            guard call != nil else { throw UIError.noCall }
            panel = .callStats(firstLine: 0)
        case .quit:
            running = false
        }
    }

    /// Offers a file; hashing a large file takes a while, so it runs aside and reports back.
    func offer(path: String, to contact: Contact) {
        let node = self.node, inbox = self.inbox, reference = contact.id.canonical, name = contact.name
        show("hashing \(path)…", role: .dim)
        Task {
            do {
                let transfer = try await node.offerFile(path: path, to: reference, as: nil)
                inbox.post(.notice("offered \(transfer.fileName) (\(TransferFormatting.size(Int64(transfer.size)))) to \(name); F2 shows transfers", isError: false))
            } catch {
                inbox.post(.notice("cannot send \(path): \(error)", isError: true))
            }
        }
    }

    /// a / r / c / p in the transfers panel (and Alt-Y / Alt-N on an offer).
    func act(on transfer: Transfer, key: String) {
        let node = self.node, inbox = self.inbox, id = transfer.id.uuidString, file = transfer.fileName
        let incoming = transfer.direction == .incoming
        Task {
            do {
                switch key {
                case "a":
                    guard incoming else { throw UIError.notIncoming }
                    _ = try await node.acceptTransfer(id, into: nil)
                    inbox.post(.notice("receiving \(file)…", isError: false))
                case "r":
                    guard incoming else { throw UIError.notIncoming }
                    _ = try await node.rejectTransfer(id)
                    inbox.post(.notice("rejected \(file)", isError: false))
                case "c":
                    _ = try await node.cancelTransfer(id)
                    inbox.post(.notice("cancelled \(file)", isError: false))
                default:
                    if transfer.state == .paused {
                        _ = try await node.resumeTransfer(id)
                    } else {
                        _ = try await node.pauseTransfer(id)
                    }
                }
            } catch {
                inbox.post(.notice("\(file): \(error)", isError: true))
            }
            inbox.post(.transfersChanged)
        }
    }

    /// Re-reads contacts here and tells the node (links to open or close).
    func contactsChanged() {
        reloadContacts()
        let node = self.node
        Task { await node.contactsChanged() }
    }

    private func requireContact() throws -> Contact {
        guard let contact = selectedContact else { throw UIError.noConversation }
        return contact
    }

    private func contactReference(_ reference: String?) throws -> String {
        if let reference { return reference }
        return try requireContact().id.canonical
    }

    private func requestReference(_ reference: String?) throws -> String {
        if let reference { return reference }
        if let request = selectedRequest ?? requests.first { return request.peerID.canonical }
        throw UIError.noRequest
    }

    /// Opens the message's conversation on a window around it (a page each
    /// side, by key), highlighted; PageUp and PageDown load further pages.
    func jump(to message: Message) {
        guard contacts.contains(where: { $0.id == message.contactID }) else {
            // A contact removed with its conversation kept: the conversation is read with the CLI.
            let removed = try? database.contacts.contact(for: message.contactID, includingRemoved: true)
            let name = removed?.name ?? message.contactID.short
            return show("\(name) is no longer a contact; 'parley history \(name)' shows the conversation", role: .dim)
        }
        select(.contact(message.contactID))
        if !messages.contains(where: { $0.id == message.id }) {
            let half = Self.historyPage / 2, history = database.messages
            let older = (try? history.history(with: message.contactID, before: message.id, limit: half)) ?? []
            let newer = (try? history.history(with: message.contactID, from: message.id, limit: half)) ?? []
            if !newer.isEmpty {
                messages = older + newer
                windowAtEnd = false  // PageDown at the bottom loads the next page and finds out
                formattedCache = nil
            }
        }
        highlighted = message.id
        guard let layout = lastLayout else { return }
        let lines = conversationLines(width: layout.conversation.width - 1)
        if let index = lines.firstIndex(where: { $0.tag == message.id.uuidString }) {
            scrollback.reveal(line: index, totalLines: lines.count, height: layout.conversation.height)
        }
        show("jumped to the message of \(SearchFormatting.date(message.sentAt)) (PageDown to the end)", role: .dim)
    }
}

extension UIController {
    static let searchPage = 100

    /// The first page of hits for `query`, in `contact`'s conversation or (nil) all of them.
    func runSearch(_ query: String, in contact: Contact?) -> SearchPanel {
        var search = SearchPanel(query: query, contact: contact)
        search = moreHits(search)
        return search
    }

    /// The next page of hits, continuing after the last one (by key).
    func moreHits(_ search: SearchPanel) -> SearchPanel {
        guard !search.complete else { return search }
        var search = search
        do {
            let page = try database.messages.search(search.query, contact: search.contact?.id,
                                                    before: search.hits.last?.message.id, limit: Self.searchPage)
            search.hits += page
            search.complete = page.count < Self.searchPage
        } catch {
            search.complete = true
            show("search failed: \(error)", role: .error)
        }
        return search
    }
}

/// Commands that need something the screen does not have.
enum UIError: Error, CustomStringConvertible {
    case noConversation
    case noRequest
    case notIncoming
    case inCall(String)
    case noCall
    case audioOnlyCall

    var description: String {
        switch self {
        case .noConversation: "open a contact's conversation first (Tab)"
        case .noRequest: "there is no pending contact request"
        case .notIncoming: "only the receiver can accept or reject a file"
        case .inCall(let name): "already in a call with \(name): /hangup (F8) first"
        case .noCall: "no call is going on (F5 or /call calls the open contact)"
        case .audioOnlyCall: "this is an audio call: there is no video to turn on or off"
        }
    }
}
