import ParleyCore
import Testing

@Suite("Peer addresses")
struct PeerAddressTests {
    @Test(arguments: [
        ("example.org", "example.org", 29172),
        ("127.0.0.1:4000", "127.0.0.1", 4000),
        ("[::1]:5000", "::1", 5000),
        ("[fe80::1]", "fe80::1", 29172),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let address = try PeerAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(try PeerAddress(parsing: address.description) == address)
    }

    @Test(arguments: ["", ":80", "host:0", "host:70000", "host:x", "::1", "[::1", "a b:1"])
    func rejects(text: String) {
        #expect(throws: PeerAddressError.self) { try PeerAddress(parsing: text) }
    }

    @Test func contactNamesAreChecked() throws {
        #expect(try ContactName.validated("  Alice ") == "Alice")
        #expect(throws: ContactNameError.empty) { try ContactName.validated("   ") }
        #expect(throws: ContactNameError.controlCharacter) { try ContactName.validated("a\nb") }
        #expect(throws: ContactNameError.tooLong(65)) { try ContactName.validated(String(repeating: "x", count: 65)) }
        let id = ContactID(subjectPublicKeyInfo: [9]).grouped
        #expect(throws: ContactNameError.looksLikeID) { try ContactName.validated(id) }
    }
}
