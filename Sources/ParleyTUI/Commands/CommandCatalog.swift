/// Every `/` command with its usage and a one-line description: the source
/// of `/help`, of completion and of usage errors.
public struct CommandSpec: Sendable, Equatable {
    public var name: String
    public var arguments: String
    public var summary: String
    /// A key that does the same, if any.
    public var key: String?
    /// What the first argument completes to.
    public var completes: ArgumentKind

    public enum ArgumentKind: Sendable, Equatable { case nothing, contact, request, path }

    public var usage: String { arguments.isEmpty ? "/\(name)" : "/\(name) \(arguments)" }
}

public enum CommandCatalog {
    public static let commands: [CommandSpec] = [
        CommandSpec(name: "help", arguments: "", summary: "this list of commands and keys", key: "F1", completes: .nothing),
        CommandSpec(name: "add", arguments: "ID NAME [HOST[:PORT]]",
                    summary: "add a contact by the ID they gave you (a name with spaces in quotes)", key: nil, completes: .nothing),
        CommandSpec(name: "address", arguments: "[list|add|remove] [HOST[:PORT]]",
                    summary: "the open contact's addresses (port 29172 unless given)", key: nil, completes: .nothing),
        CommandSpec(name: "me", arguments: "ACTION", summary: "say what you do: /me waves → * alice waves", key: nil,
                    completes: .nothing),
        CommandSpec(name: "nick", arguments: "NAME", summary: "the name your contacts see", key: nil, completes: .nothing),
        CommandSpec(name: "id", arguments: "", summary: "your ID, grouped for reading aloud", key: nil, completes: .nothing),
        CommandSpec(name: "set", arguments: "KEY [VALUE]", summary: "show or change a setting (as parley config set)", key: nil,
                    completes: .nothing),
        CommandSpec(name: "accept", arguments: "[WHO]", summary: "accept a contact request", key: "Alt-Y",
                    completes: .request),
        CommandSpec(name: "decline", arguments: "[WHO]", summary: "decline a contact request", key: "Alt-N",
                    completes: .request),
        CommandSpec(name: "rename", arguments: "NEW NAME", summary: "rename the open contact", key: nil,
                    completes: .nothing),
        CommandSpec(name: "block", arguments: "[WHO]", summary: "block a contact (nothing from them gets in)",
                    key: nil, completes: .contact),
        CommandSpec(name: "unblock", arguments: "[WHO]", summary: "unblock a contact", key: nil, completes: .contact),
        CommandSpec(name: "remove", arguments: "[WHO]", summary: "remove a contact, its conversation too or not (asks first)", key: nil,
                    completes: .contact),
        CommandSpec(name: "verify", arguments: "[yes]",
                    summary: "show both IDs to read aloud; '/verify yes' once they match", key: nil,
                    completes: .nothing),
        CommandSpec(name: "send", arguments: "PATH", summary: "offer a file to the open contact", key: nil,
                    completes: .path),
        CommandSpec(name: "files", arguments: "", summary: "transfers: progress, accept, reject, cancel", key: "F2",
                    completes: .nothing),
        CommandSpec(name: "search", arguments: "TEXT", summary: "search the open conversation (Tab: all); Enter jumps to the message",
                    key: "F3", completes: .nothing),
        CommandSpec(name: "call", arguments: "", summary: "call the open contact (audio)", key: "F5", completes: .nothing),
        CommandSpec(name: "vcall", arguments: "", summary: "video call with the open contact", key: "F6",
                    completes: .nothing),
        CommandSpec(name: "answer", arguments: "[audio]", summary: "answer the ringing call ('audio': without video)",
                    key: "Alt-Y / Alt-A", completes: .nothing),
        CommandSpec(name: "hangup", arguments: "", summary: "end the call (or stop calling)", key: "F8", completes: .nothing),
        CommandSpec(name: "invite", arguments: "WHO", summary: "invite a contact into the call going on (a group call of up to 6)",
                    key: nil, completes: .contact),
        CommandSpec(name: "broadcast", arguments: "[WHO…|stop]",
                    summary: "broadcast your camera and microphone to the contacts named (none: every contact); 'stop' ends it",
                    key: nil, completes: .contact),
        CommandSpec(name: "watch", arguments: "[WHO]", summary: "watch a contact's broadcast (the open contact's); /hangup leaves",
                    key: nil, completes: .contact),
        CommandSpec(name: "mute", arguments: "", summary: "microphone off / on during a call", key: nil, completes: .nothing),
        CommandSpec(name: "camera", arguments: "", summary: "camera off / on during a video call", key: nil,
                    completes: .nothing),
        CommandSpec(name: "deafen", arguments: "", summary: "stop / resume hearing the peer", key: nil, completes: .nothing),
        CommandSpec(name: "hide", arguments: "", summary: "stop / resume receiving the peer's video", key: nil,
                    completes: .nothing),
        CommandSpec(name: "stats", arguments: "", summary: "every figure of the call going on", key: "F7",
                    completes: .nothing),
        CommandSpec(name: "quit", arguments: "", summary: "leave Parley", key: "F10", completes: .nothing),
    ]

    public static func spec(named name: String) -> CommandSpec? {
        commands.first { $0.name == name }
    }

    /// Key bindings that are not commands, for /help and the man page.
    public static let keys: [(keys: String, action: String)] = [
        ("Enter", "send the line (a pasted multi-line text is one message)"),
        ("Alt-↓ / Alt-↑, Ctrl-N / Ctrl-P", "next / previous conversation (each keeps its draft and scroll position)"),
        ("Tab", "complete a command, its argument, a path or a name"),
        ("Alt-1 … Alt-9", "open the n-th conversation"),
        ("PageUp / PageDown", "scroll the conversation"),
        ("End (empty line), Alt-End", "to the newest message (a marker counts the new ones below)"),
        ("↑ / ↓", "recall sent lines"),
        ("←/→, Home/End, Ctrl-A/E", "move; Ctrl-←/→ or Alt-B/F by word"),
        ("Ctrl-K / Ctrl-U / Ctrl-W / Alt-D, Ctrl-Y", "cut to end / to start / word back / word forward; paste"),
        ("Alt-Y / Alt-N", "answer the prompt shown (a call, contact request, file offer)"),
        ("Alt-A", "answer a ringing call with audio only"),
        ("Alt-K", "after /remove: remove the contact but keep the conversation"),
        ("Esc", "stop calling (while our call rings)"),
        ("Ctrl-L", "redraw the screen"),
        ("Esc", "close a panel (help, files, search)"),
    ]
}
