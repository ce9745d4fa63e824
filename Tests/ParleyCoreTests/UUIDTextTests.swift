import Foundation
import ParleyCore
import Testing

/// The fast UUID text codec gives what Foundation gives, and refuses what it refuses.
@Suite("UUID text", .timeLimit(.minutes(1)))
struct UUIDTextTests {
    @Test func formatsAndParsesLikeFoundation() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.canonicalText == id.uuidString)
            #expect(UUID(canonicalText: id.uuidString) == id)
            #expect(UUID(canonicalText: id.uuidString.lowercased()) == id)
        }
    }

    @Test(arguments: ["", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8-C36C-495A-93FC-0C247A3E6E5F0",
                      "E621E1F8C36C-495A-93FC-0C247A3E6E5FF", "G621E1F8-C36C-495A-93FC-0C247A3E6E5F",
                      "E621E1F8-C36C-495A-93FC_0C247A3E6E5F", "E621E1F8-C36C-495A-93FC-0C247A3E6E5É"])
    func refusesMalformedText(_ text: String) {
        #expect(UUID(canonicalText: text) == nil)
        #expect(UUID(uuidString: text) == nil)
    }
}
