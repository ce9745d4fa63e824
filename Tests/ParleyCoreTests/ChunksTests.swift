import ParleyCore
import Testing

@Suite("Chunks")
struct ChunksTests {
    @Test func splitsInOrderWithAShorterLastChunk() {
        #expect(Array(1...7).chunks(ofCount: 3).map(Array.init) == [[1, 2, 3], [4, 5, 6], [7]])
        #expect(Array(1...6).chunks(ofCount: 3).map(Array.init) == [[1, 2, 3], [4, 5, 6]])
        #expect([Int]().chunks(ofCount: 3).isEmpty)
    }
}
