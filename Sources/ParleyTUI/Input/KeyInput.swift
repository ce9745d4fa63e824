/// A key press (or a paste, or a resize) as the UI handles it, decoded from
/// curses input so the key handling can be tested without a terminal.
public enum KeyInput: Sendable, Equatable {
    /// Printable text (one Unicode scalar or cluster).
    case text(String)
    /// Ctrl + a letter, given in lower case (`.control("a")` is Ctrl-A).
    case control(Character)
    /// Alt (Meta) + a key, sent by terminals as Escape then the key.
    case alt(Character)
    case enter, tab, backTab, backspace, delete, escape
    case up, down, left, right, home, end, pageUp, pageDown
    case wordLeft, wordRight, altUp, altDown
    /// Alt-End or Ctrl-End: to the newest message.
    case altEnd
    case function(Int)
    /// Text pasted in one go (bracketed paste, or a burst of input containing newlines).
    case paste(String)
    case resize
}
