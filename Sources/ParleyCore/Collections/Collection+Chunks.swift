extension Collection {
    /// Consecutive slices of at most `size` elements, in order (the last may be shorter).
    public func chunks(ofCount size: Int) -> [SubSequence] {
        precondition(size > 0, "chunks need a positive size")
        var result: [SubSequence] = []
        var start = startIndex
        while start != endIndex {
            let end = index(start, offsetBy: size, limitedBy: endIndex) ?? endIndex
            result.append(self[start..<end])
            start = end
        }
        return result
    }
}
