import Foundation

/// Key handling: panels first, then conversation switching and scrolling,
/// then line editing.
extension UIController {
    func handle(_ key: KeyInput) {
        needsRedraw = true
        if panel != nil, handlePanelKey(key) { return }
        switch key {
        case .resize:
            formattedCache = nil
            videoPane.invalidate()
        case .enter:
            submit()
        case .tab:
            complete()  // commands, their arguments, paths and names; never another conversation
        case .altUp, .control("p"):
            cycleConversation(by: -1)
        case .altDown, .control("n"):
            cycleConversation(by: 1)
        case .alt(let character) where character.isNumber:
            if let number = character.wholeNumberValue, number >= 1, number <= conversationKeys.count {
                select(conversationKeys[number - 1])
            }
        case .alt("y"), .alt("Y"):
            if incomingCall != nil { answerCall(audioOnly: false) } else { answerPrompt(accept: true) }
        case .alt("a"), .alt("A"):
            if incomingCall != nil { answerCall(audioOnly: true) } else { show("no call is ringing", role: .dim) }
        case .alt("n"), .alt("N"):
            if incomingCall != nil { declineCall() } else { answerPrompt(accept: false) }
        case .alt(let letter) where letter.lowercased() == "k" && pendingRemoval != nil:
            removePendingContact(keepingHistory: true)
        case .escape:
            if outgoingRinging {
                run(.hangup)
            } else if pendingRemoval != nil {
                answerPrompt(accept: false)
            } else if let prompt = currentPrompt {
                dismissedPrompts.insert(prompt.dismissalKey)
            } else {
                notice = nil
            }
        case .altEnd:
            jumpToNewest()
        case .end where editor.isEmpty && !(scrollback.isAtBottom && windowAtEnd):
            jumpToNewest()
        case .pageUp:
            scrollConversation(pageUp: true)
        case .pageDown:
            scrollConversation(pageUp: false)
        case .function(1):
            panel = .help(firstLine: 0)
        case .function(2):
            panel = .files(selected: 0)
        case .function(3):
            editor.setText("/search ")
        case .function(5):
            run(.call)
        case .function(6):
            run(.videoCall)
        case .function(7):
            run(.stats)
        case .function(8):
            run(.hangup)
        case .function(10):
            running = false
        case .control("l"):
            screen.invalidate()
            videoPane.invalidate()
            formattedCache = nil
        case .control("c"):
            if editor.isEmpty { show("type /quit (or F10) to leave Parley", role: .warning) } else { _ = editor.take() }
        case .up:
            if let older = inputHistory.older(current: editor.text) { editor.setText(older) }
        case .down:
            if let newer = inputHistory.newer() { editor.setText(newer) }
        default:
            if edit(with: key) { noteTyping() }
        }
    }

    /// Line editing keys; returns whether the text changed.
    func edit(with key: KeyInput) -> Bool {
        let before = editor.text
        switch key {
        case .text(let text): editor.insert(text)
        case .paste(let text): editor.insert(text.replacingCarriageReturns())
        case .backspace, .control("h"): editor.backspace()
        case .delete, .control("d"): editor.deleteForward()
        case .left, .control("b"): editor.moveLeft()
        case .right, .control("f"): editor.moveRight()
        case .home, .control("a"): editor.moveHome()
        case .end, .control("e"): editor.moveEnd()
        case .control("k"): editor.killToEnd()
        case .control("u"): editor.killToStart()
        case .control("w"): editor.killWordBackward()
        case .control("y"): editor.yank()
        case .alt("d"): editor.killWordForward()
        case .alt("b"), .wordLeft: editor.moveWordLeft()
        case .alt("f"), .wordRight: editor.moveWordRight()
        default: break
        }
        return editor.text != before
    }

    func scrollConversation(pageUp: Bool) {
        guard let layout = lastLayout else { return }
        let total = conversationLines(width: layout.conversation.width - 1).count
        let height = layout.conversation.height
        if pageUp {
            scrollback.pageUp(totalLines: total, height: height)
            if scrollback.isAtTop(totalLines: total, height: height) {
                loadOlderPage()  // older messages load above; the view stays where it is
            }
        } else {
            scrollback.pageDown(totalLines: total, height: height)
            if scrollback.isAtBottom { loadNewerPage() }
            if scrollback.isAtBottom && windowAtEnd { reachedNewest() }
        }
    }

    /// End (on an empty line) or Alt-End: the newest message, the history window reloaded
    /// when it had been moved back (a search jump), the view following new messages again.
    func jumpToNewest() {
        if !windowAtEnd {
            messages = []
            windowAtEnd = true
            formattedCache = nil
            reloadConversation()
        }
        highlighted = nil
        scrollback.scrollToBottom()
        reachedNewest()
    }

    /// The newest message is on screen: nothing new below any more, and it can be marked read.
    func reachedNewest() {
        newBelow = 0
        markReadIfVisible()
    }

    /// Tab: completes a `/` command or its argument, else a name in the text.
    func complete() {
        let completer = CommandCompleter(contactNames: contacts.map(\.name), requestNames: requests.map(\.displayName))
        let names = contacts.map(\.name) + [node.profile.displayName]
        guard let completion = completer.complete(editor.text) ?? completer.completeName(editor.text, names: names) else { return }
        editor.setText(completion.line)
        if !completion.candidates.isEmpty {
            show(completion.candidates.joined(separator: "  "), role: .dim)
        }
    }

    /// Keys a panel takes; returns false to let the key act normally (it also closes the panel).
    func handlePanelKey(_ key: KeyInput) -> Bool {
        guard let panel else { return false }
        switch (panel, key) {
        case (_, .escape), (.help, .enter), (.verify, .enter), (.files, .enter), (.callStats, .enter):
            self.panel = nil
            return true
        case (.help(let first), .pageDown), (.help(let first), .down):
            self.panel = .help(firstLine: min(first + (key == .down ? 1 : 10), HelpText.lines.count - 1))
            return true
        case (.help(let first), .pageUp), (.help(let first), .up):
            self.panel = .help(firstLine: max(0, first - (key == .up ? 1 : 10)))
            return true
        case (.callStats(let first), .pageDown), (.callStats(let first), .down):
            self.panel = .callStats(firstLine: first + (key == .down ? 1 : 10))
            return true
        case (.callStats(let first), .pageUp), (.callStats(let first), .up):
            self.panel = .callStats(firstLine: max(0, first - (key == .up ? 1 : 10)))
            return true
        case (.callStats, .function(7)):
            self.panel = nil
            return true
        case (.search(var search), .down), (.search(var search), .pageDown):
            let wanted = search.selected + (key == .down ? 1 : 10)
            if wanted >= search.hits.count { search = moreHits(search) }
            search.selected = min(wanted, max(0, search.hits.count - 1))
            self.panel = .search(search)
            return true
        case (.search(var search), .up), (.search(var search), .pageUp):
            search.selected = max(search.selected - (key == .up ? 1 : 10), 0)
            self.panel = .search(search)
            return true
        case (.search(let search), .tab):
            let scope = search.contact == nil ? selectedContact : nil
            if search.contact != nil || scope != nil { self.panel = .search(runSearch(search.query, in: scope)) }
            return true
        case (.files(let selected), .down):
            self.panel = .files(selected: min(selected + 1, max(0, transfers.count - 1)))
            return true
        case (.files(let selected), .up):
            self.panel = .files(selected: max(0, selected - 1))
            return true
        case (.files(let selected), .text(let letter)) where ["a", "r", "c", "p"].contains(letter):
            if transfers.indices.contains(selected) { act(on: transfers[selected], key: letter) }
            return true
        case (.search(let search), .enter):
            self.panel = nil
            if search.hits.indices.contains(search.selected) { jump(to: search.hits[search.selected].message) }
            return true
        case (_, .resize):
            return false
        default:
            self.panel = nil
            return false
        }
    }

    /// Alt-Y / Alt-N: answers the selected request, else the prompt shown in the banner.
    func answerPrompt(accept: Bool) {
        if let request = selectedRequest {
            run(accept ? .accept(request.peerID.canonical) : .decline(request.peerID.canonical))
            return
        }
        switch currentPrompt {
        case .contactRequest(let request)?:
            run(accept ? .accept(request.peerID.canonical) : .decline(request.peerID.canonical))
        case .fileOffer(let transfer, _)?:
            act(on: transfer, key: accept ? "a" : "r")
        case .removeContact(let contact)?:
            guard accept else {
                pendingRemoval = nil
                return show("\(contact.name) stays", role: .dim)
            }
            removePendingContact(keepingHistory: false)
        case nil:
            show("nothing to answer", role: .dim)
        }
    }

    /// Answers `/remove`'s question: removes the contact, with its conversation or (Alt-K)
    /// keeping it readable with `parley history` and `/search`.
    func removePendingContact(keepingHistory: Bool) {
        guard let contact = pendingRemoval else { return }
        pendingRemoval = nil
        do {
            let removed = try contactService.remove(contact.id.canonical, keepingHistory: keepingHistory)
            contactsChanged()
            show(keepingHistory ? "removed \(removed.name); the conversation is kept (parley history \(removed.name))"
                                : "removed \(removed.name) and the conversation", role: .dim)
        } catch {
            showError(error)
        }
    }
}
