import Foundation
import NIOConcurrencyHelpers
import ParleyNode
import ParleyTerminalVideo

/// The terminal UI on a running node: `parley` without a subcommand.
public enum TerminalUI {
    /// Shows the UI until the person quits (or `requestQuit` is called); the
    /// terminal is restored before this returns.
    public static func run(node: any NodeAPI, quit: QuitSignal = QuitSignal()) async {
        let inbox = UIInbox()
        quit.attach(inbox)
        let events = node.eventStream()
        let forwarder = Task {
            for await event in events { inbox.post(.event(event)) }
        }
        let settings = UISettings(configuration: node.profile.configuration)
        // Asked before curses starts: the answers must not reach it as keys.
        let capabilities = TerminalCapabilityQuery.detect()
        let videoStyle = VideoPane.Style.resolved(for: capabilities, choice: settings.videoRenderer,
                                                  environment: ProcessInfo.processInfo.environment)
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                Thread.current.name = "parley-ui"   // Linux applies a name set on the thread itself
                let controller = UIController(node: node, inbox: inbox, settings: settings)
                controller.videoPane.style = videoStyle
                controller.screen.joinsEmojiSequences = capabilities.joinsEmojiSequences
                controller.run()
                finished.resume()
            }
            thread.start()
        }
        forwarder.cancel()
    }
}

/// Lets another part of the program (a signal handler) ask the UI to quit.
public final class QuitSignal: Sendable {
    private let inbox = InboxSlot()

    public init() {}

    func attach(_ inbox: UIInbox) { self.inbox.set(inbox) }

    /// Asks the UI to leave at its next turn (within a tenth of a second).
    public func requestQuit() { inbox.get()?.post(.quit) }
}

/// The inbox a `QuitSignal` reaches, set once the UI starts.
final class InboxSlot: Sendable {
    private let box = NIOLockedValueBox<UIInbox?>(nil)
    func set(_ inbox: UIInbox) { box.withLockedValue { $0 = inbox } }
    func get() -> UIInbox? { box.withLockedValue { $0 } }
}
