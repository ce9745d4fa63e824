import Foundation
import ParleyCore
import ParleyNode

/// Builds the screen's parts from the controller's state.
struct ScreenModelBuilder {
    let controller: UIController

    func build() -> MainScreen {
        var screen = MainScreen(title: title(), contactList: contactList(),
                                conversation: ConversationView(lines: [], scrollback: controller.scrollback),
                                panel: panel(), banner: banner(), status: status(),
                                input: InputView(prompt: prompt(), editor: controller.editor))
        if let call = controller.call {
            screen.callBar = CallBar.view(for: call, age: controller.callStatusAge, width: controller.screen.columns)
            screen.wantsVideoPane = controller.showsVideo
            if controller.showsVideo, !controller.videoPane.hasPicture {
                let words = call.remote.videoOut ? "waiting for \(call.name)'s picture…" : "\(call.name)'s camera is off"
                screen.videoPlaceholder = [StyledLine([StyledSpan(words, .dim)])]
            }
        }
        return screen
    }

    func contactList() -> ContactListView {
        let requests = controller.requests.map {
            ContactListView.Entry(key: .request($0.peerID), name: $0.displayName)
        }
        let contacts = controller.contacts.map { contact in
            ContactListView.Entry(key: .contact(contact.id), name: contact.name,
                                  online: controller.online.contains(contact.id),
                                  unread: (controller.unread[contact.id] ?? 0) + (controller.missedCalls[contact.id] ?? 0),
                                  blocked: contact.trust == .blocked,
                                  ringing: controller.incomingCall?.contact == contact.id.canonical)
        }
        return ContactListView(entries: requests + contacts, selected: controller.selection)
    }

    func title() -> BarView {
        if let contact = controller.selectedContact {
            let isOnline = controller.online.contains(contact.id)
            var left = [StyledSpan(" \(contact.name) "),
                        StyledSpan(isOnline ? "● online" : "○ offline"),
                        StyledSpan(" · \(contact.trust.rawValue) · \(contact.id.short)…")]
            if controller.typingPeers[contact.id] != nil {
                left.append(StyledSpan("  \(contact.name) is typing…"))
            }
            return BarView(left: left, right: [StyledSpan("/help ")], role: .titleBar)
        }
        if let request = controller.selectedRequest {
            return BarView(left: [StyledSpan(" Contact request from \(request.displayName)")], role: .titleBar)
        }
        return BarView(left: [StyledSpan(" Parley")], right: [StyledSpan("/help ")], role: .titleBar)
    }

    func status() -> BarView {
        let profile = controller.node.profile
        let onlineCount = controller.contacts.filter { controller.online.contains($0.id) }.count
        let time = controller.settings.timeFormat.string(Date(), calendar: .current).trimmingCharacters(in: .whitespaces)
        return BarView(left: [StyledSpan(" [\(time)] \(profile.displayName)"),
                              StyledSpan(" · \(profile.identity.contactID.short)…"),
                              StyledSpan(" · \(controller.node.isAttached ? "attached to the node at" : "listening") \(controller.node.listenAddress)"),
                              StyledSpan(" · \(onlineCount)/\(controller.contacts.count) online"),
                              StyledSpan(transferSummary())],
                       role: .statusBar)
    }

    func prompt() -> String {
        if let contact = controller.selectedContact { return "\(contact.name.truncated(toColumns: 14))› " }
        return "› "
    }

    func transferSummary() -> String {
        let running = controller.transfers.filter { !$0.state.isFinal }.count
        return running == 0 ? "" : " · \(running) transfer\(running == 1 ? "" : "s") (F2)"
    }

    /// The inline prompt for the first unanswered question, then the latest notice.
    func banner() -> [StyledLine] {
        var lines = controller.currentPrompt?.bannerLines ?? []
        if controller.newBelow > 0 {
            let count = controller.newBelow
            lines.append(StyledLine([StyledSpan("↓ \(count) new message\(count == 1 ? "" : "s") below", .unread),
                                     StyledSpan("   End or Alt-End jumps there", .accent)]))
        }
        if let notice = controller.notice {
            lines.append(StyledLine([StyledSpan(notice.text, notice.role)]))
        }
        return lines
    }

    func panel() -> PanelView? {
        switch controller.panel {
        case nil: return nil
        case .help(let firstLine):
            return PanelView(title: "Help — commands and keys", lines: HelpText.lines, footer: "PageUp/PageDown scroll · Esc close",
                             firstLine: firstLine)
        case .verify(let contact):
            return PanelView(title: "Check IDs with \(contact.name)", lines: verifyLines(contact),
                             footer: "/verify yes when they match · Esc close")
        case .identity:
            let profile = controller.node.profile
            return PanelView(title: "Your ID (\(profile.displayName))",
                             lines: [StyledLine([StyledSpan("Give it to the people you want to talk to; read it aloud group by group.")]),
                                     StyledLine()] + idGroups(profile.identity.contactID)
                                 + [StyledLine(), StyledLine([StyledSpan("Peers reach you at \(controller.node.listenAddress).", .dim)])],
                             footer: "Esc close")
        case .search(let search):
            let lines = search.hits.map { hit in
                let date = SearchFormatting.date(hit.message.sentAt)
                let who = hit.message.direction == .outgoing ? "you → \(hit.contactName)" : hit.contactName
                return StyledLine([StyledSpan(date + " ", .dim), StyledSpan(who, .peerName(for: hit.message.contactID)),
                                   StyledSpan(": " + hit.snippet.replacingOccurrences(of: "\n", with: " "))])
            }
            let count = search.hits.count
            let matches = "\(count == 0 ? "no" : "\(count)\(search.complete ? "" : "+")") match\(count == 1 && search.complete ? "" : "es")"
            let scope = search.contact.map { " with \($0.name)" } ?? " in all conversations"
            let widen = search.contact == nil ? (controller.selectedContact.map { " · Tab only \($0.name)" } ?? "")
                                              : " · Tab all conversations"
            return PanelView(title: "Search “\(search.query)”\(scope): \(matches)", lines: lines,
                             selected: search.hits.isEmpty ? nil : search.selected,
                             footer: "↑/↓ choose\(search.complete ? "" : " (more below)") · Enter jump to the message\(widen) · Esc close")
        case .callStats(let firstLine):
            guard let call = controller.call else {
                return PanelView(title: "Call statistics", lines: [StyledLine([StyledSpan("No call is going on.", .dim)])],
                                 footer: "Esc close")
            }
            return PanelView(title: "Call with \(call.name) — statistics", lines: CallStatsLines.lines(for: call, age: controller.callStatusAge),
                             footer: "updated every second · PageUp/PageDown scroll · Esc or F7 close", firstLine: firstLine)
        case .files(let selected):
            let lines = controller.transfers.map { transfer in
                TransferRow.line(for: transfer, peerName: controller.name(of: transfer.contactID),
                                 rate: controller.transferRates[transfer.id],
                                 width: (controller.lastLayout?.conversation.width ?? 80) - 2)
            }
            return PanelView(title: "File transfers (\(lines.count))",
                             lines: lines.isEmpty ? [StyledLine([StyledSpan("No transfers yet: /send PATH offers a file to the open contact.", .dim)])] : lines,
                             selected: lines.isEmpty ? nil : min(selected, lines.count - 1),
                             footer: "↑/↓ choose · a accept · r reject · c cancel · p pause/resume · Esc close")
        }
    }

    /// An ID three groups to a line, for reading aloud.
    func idGroups(_ id: ContactID) -> [StyledLine] {
        let parts = id.grouped.split(separator: "-").map(String.init)
        return stride(from: 0, to: parts.count, by: 3).map { start in
            StyledLine([StyledSpan("    " + parts[start..<min(start + 3, parts.count)].joined(separator: "  "), .accent)])
        }
    }

    func verifyLines(_ contact: Contact) -> [StyledLine] {
        let own = controller.node.profile.identity.contactID
        let groups = idGroups
        return [StyledLine([StyledSpan("Read these aloud to each other (phone, in person), group by group.")]),
                StyledLine(),
                StyledLine([StyledSpan("Your ID (\(controller.node.profile.displayName)):", .ownName)])]
            + groups(own)
            + [StyledLine(), StyledLine([StyledSpan("\(contact.name)'s ID as stored here:", .peerName)])]
            + groups(contact.id)
            + [StyledLine(),
               StyledLine([StyledSpan("Now: \(contact.trust.rawValue).", contact.trust == .verified ? .success : .warning)]),
               StyledLine([StyledSpan("If \(contact.name) reads the same groups, type /verify yes.")])]
    }
}

enum SearchFormatting {
    static func date(_ date: Date) -> String {
        let parts = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute))"
    }
}

extension ScreenModelBuilder {
    /// What the conversation area says when no conversation is open, or a request is selected.
    func placeholderLines() -> [StyledLine]? {
        if let request = controller.selectedRequest {
            var lines = [StyledLine([StyledSpan("\(request.displayName) asks to become your contact.", .warning)])]
            if !request.note.isEmpty { lines.append(StyledLine([StyledSpan("Note: “\(request.note)”")])) }
            lines.append(StyledLine([StyledSpan("Their ID: \(request.peerID.grouped)", .dim)]))
            if let address = request.address { lines.append(StyledLine([StyledSpan("From: \(address)", .dim)])) }
            lines.append(StyledLine())
            lines.append(StyledLine([StyledSpan("Alt-Y or /accept to accept · Alt-N or /decline to decline", .accent)]))
            return lines
        }
        guard controller.selectedContact == nil else { return nil }
        let id = controller.node.profile.identity.contactID.grouped
        return [
            StyledLine([StyledSpan("Welcome to Parley, \(controller.node.profile.displayName).", .accent)]),
            StyledLine(),
            StyledLine([StyledSpan("Your ID — give it to the people you want to talk to:")]),
            StyledLine([StyledSpan("  " + id, .accent)]),
            StyledLine([StyledSpan("Peers reach you at \(controller.node.listenAddress).", .dim)]),
            StyledLine(),
            StyledLine([StyledSpan("Add someone with "), StyledSpan("/add ID NAME [HOST:PORT]", .prompt)]),
            StyledLine([StyledSpan("Alt-↑/↓ or Ctrl-P/N switch conversations, "), StyledSpan("/help", .prompt),
                        StyledSpan(" lists every command and key.")]),
        ]
    }
}
