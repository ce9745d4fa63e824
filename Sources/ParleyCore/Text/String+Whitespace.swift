extension StringProtocol {
    /// The text without leading and trailing whitespace (Unicode's definition, newlines included).
    public func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
