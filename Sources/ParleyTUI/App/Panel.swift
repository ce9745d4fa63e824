import ParleyCore
import ParleyStore

/// The panel open over the conversation, with its own state.
enum Panel {
    case help(firstLine: Int)
    case verify(Contact)
    case search(query: String, hits: [MessageRepository.SearchHit], selected: Int)
    case files(selected: Int)
}
