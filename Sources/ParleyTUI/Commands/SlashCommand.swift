/// A `/` command as typed in the input line, parsed. Arguments that name a
/// contact are optional: without one the command applies to the open
/// conversation (or, for /accept and /decline, to the oldest pending request).
public enum SlashCommand: Sendable, Equatable {
    case help
    case add(id: String, name: String, address: String?)
    case accept(String?)
    case decline(String?)
    case rename(String)
    case block(String?)
    case unblock(String?)
    case remove(String?)
    /// `/address [list]`, `/address add HOST[:PORT]`, `/address remove HOST[:PORT]` for the open contact.
    case address(AddressAction, String?)
    /// `/nick NAME`: the name contacts see.
    case nick(String)
    /// `/id`: our ID, grouped for reading aloud.
    case id
    /// `/set KEY VALUE` changes a config setting (checked first); `/set KEY` shows it.
    case set(key: String, value: String?)
    /// `/verify` shows both IDs; `/verify yes` marks the contact as checked.
    case verify(confirmed: Bool)
    case send(path: String)
    case files
    case search(String)
    /// `/me waves`: an action, sent as a message that starts with "/me ".
    case me(String)
    case call
    case videoCall
    /// `/answer` takes the ringing call; `/answer audio` without video.
    case answer(audioOnly: Bool)
    case hangup
    /// `/invite WHO`: a contact joins the call going on.
    case invite(String)
    /// `/broadcast [WHO…]`: a broadcast to the contacts named (none: every contact);
    /// `/broadcast stop` ends it.
    case broadcast([String])
    case broadcastStop
    /// `/watch [WHO]`: watch a contact's broadcast (the open contact's, or the only one).
    case watch(String?)
    /// The four media toggles of a call: my microphone, my camera, sound in, video in.
    case mute
    case camera
    case deafen
    case hide
    case stats
    case quit
}

/// What `/address` does.
public enum AddressAction: String, Sendable, Equatable {
    case list, add, remove
}
