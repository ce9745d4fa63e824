/// What a RECEIPT acknowledges.
public enum ReceiptKind: UInt8, Sendable, Hashable, CaseIterable {
    /// The receiver has stored the messages.
    case delivered = 1
    /// The receiving user has seen the messages.
    case read = 2
}
