import ParleyCore
import ParleyStore

/// The panel open over the conversation, with its own state.
enum Panel {
    case help(firstLine: Int)
    case verify(Contact)
    /// Our own ID, grouped for reading aloud.
    case identity
    case search(SearchPanel)
    case files(selected: Int)
    /// Every figure of the call going on.
    case callStats(firstLine: Int)
}

/// The search panel: hits newest first, a page at a time (more load when the
/// selection goes past the last one), in one conversation or all of them.
struct SearchPanel {
    var query: String
    /// The conversation searched; nil: every conversation.
    var contact: Contact?
    var hits: [MessageRepository.SearchHit] = []
    var selected = 0
    /// No more hits beyond those loaded.
    var complete = false
}
