/// Lines sent earlier, recalled with Up/Down like a shell; the line being
/// typed is kept aside while browsing and comes back past the newest entry.
public struct InputHistory: Sendable, Equatable {
    public private(set) var entries: [String] = []
    /// Where browsing stands: nil when not browsing.
    private var position: Int?
    private var draft = ""
    public let capacity: Int

    public init(capacity: Int = 500) { self.capacity = capacity }

    /// Remembers a sent line (not twice in a row, not empty) and stops browsing.
    public mutating func record(_ line: String) {
        position = nil
        guard !line.isEmpty, entries.last != line else { return }
        entries.append(line)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// The older entry, or nil at the oldest. `current` is what is typed now.
    public mutating func older(current: String) -> String? {
        guard !entries.isEmpty else { return nil }
        if position == nil {
            draft = current
            position = entries.count
        }
        guard let at = position, at > 0 else { return nil }
        position = at - 1
        return entries[at - 1]
    }

    /// The newer entry, the saved draft past the newest, or nil when not browsing.
    public mutating func newer() -> String? {
        guard let at = position else { return nil }
        if at + 1 >= entries.count {
            position = nil
            return draft
        }
        position = at + 1
        return entries[at + 1]
    }
}
