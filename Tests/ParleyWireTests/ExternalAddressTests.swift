import ParleyWire
import Testing

/// EXTERNAL_ADDRESS round-trips, has the documented bytes, and every number in it is
/// range-checked where it is decoded.
@Suite("EXTERNAL_ADDRESS frame")
struct ExternalAddressTests {
    @Test func roundTripsIPv4AndIPv6() throws {
        for address in [ExternalAddress(address: [198, 51, 100, 20], port: 29172, source: .mapping),
                        ExternalAddress(address: hex("20010db8000000000000000000000001"), port: 1, source: .stun)] {
            let message = WireMessage.externalAddress(address)
            try message.validate()
            #expect(try WireMessage(frame: message.frame()) == message)
        }
    }

    /// The example of PROTOCOL.md section 3.5.
    @Test func hasTheDocumentedBytes() {
        let message = WireMessage.externalAddress(ExternalAddress(address: [198, 51, 100, 20], port: 29172, source: .mapping))
        #expect(message.encoded() == hex("00000008 0030 01 00  04 c6336414 71f4 01"))
    }

    @Test func printsAddresses() {
        #expect(ExternalAddress(address: [198, 51, 100, 20], port: 29172, source: .mapping).description == "198.51.100.20:29172")
        #expect(ExternalAddress(address: hex("20010db8000000000000000000000001"), port: 80, source: .stun).description
            == "[2001:db8::1]:80")
        #expect(ExternalAddress(address: hex("20010db8000100000001000000000000"), port: 1, source: .stun).host
            == "2001:db8:1:0:1::")
        #expect(ExternalAddress(address: hex("fe800000000000000000000000000001"), port: 1, source: .stun).host == "fe80::1")
        #expect(ExternalAddress(address: hex("20010db8aaaabbbbccccddddeeeeffff"), port: 1, source: .stun).host
            == "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff")
    }

    static let malformed: [(payload: String, error: WireError)] = [
        ("05 c6336414 71f4 01", .invalidValue(field: "externalAddress.family", value: 5)),
        ("04 c63364", .truncated(field: "externalAddress.address")),
        ("06 c6336414 71f4 01", .truncated(field: "externalAddress.address")),
        ("04 c6336414 0000 01", .outOfRange(field: "externalAddress.port", value: 0, allowed: 1 ... 65535)),
        ("04 c6336414 71f4", .truncated(field: "externalAddress.source")),
        ("04 c6336414 71f4 03", .invalidValue(field: "externalAddress.source", value: 3)),
        ("04 c6336414 71f4 00", .invalidValue(field: "externalAddress.source", value: 0)),
        ("04 00000000 71f4 01", .invalidValue(field: "externalAddress.address", value: 0)),
        ("04 7f000001 71f4 01", .invalidValue(field: "externalAddress.address", value: 127)),
        ("04 effffffa 71f4 01", .invalidValue(field: "externalAddress.address", value: 239)),
        ("04 ffffffff 71f4 01", .invalidValue(field: "externalAddress.address", value: 255)),
        ("06 00000000000000000000000000000000 71f4 01", .invalidValue(field: "externalAddress.address", value: 0)),
        ("06 00000000000000000000000000000001 71f4 01", .invalidValue(field: "externalAddress.address", value: 0)),
        ("06 ff020000000000000000000000000001 71f4 01", .invalidValue(field: "externalAddress.address", value: 255)),
        ("06 00000000000000000000ffffc6336414 71f4 01", .invalidValue(field: "externalAddress.address", value: 0)),
    ]

    @Test(arguments: malformed.indices)
    func refusesMalformedPayloads(_ index: Int) {
        let (payload, error) = Self.malformed[index]
        #expect(throws: error) { try decode(type: .externalAddress, payload: hex(payload)) }
    }

    @Test func ignoresTrailingBytesOfALaterVersion() throws {
        let decoded = try decode(type: .externalAddress, version: 2, payload: hex("04 0a000002 71f4 02 ffff"))
        #expect(decoded == .externalAddress(ExternalAddress(address: [10, 0, 0, 2], port: 29172, source: .stun)))
    }

    @Test func validateReportsWhatAReceiverWouldRefuse() {
        #expect(throws: WireError.self) {
            try WireMessage.externalAddress(ExternalAddress(address: [127, 0, 0, 1], port: 80, source: .mapping)).validate()
        }
        #expect(throws: WireError.self) {
            try WireMessage.externalAddress(ExternalAddress(address: [1, 2, 3], port: 80, source: .mapping)).validate()
        }
        #expect(throws: WireError.self) {
            try WireMessage.externalAddress(ExternalAddress(address: [1, 2, 3, 4], port: 0, source: .mapping)).validate()
        }
    }
}
