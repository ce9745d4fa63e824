import Foundation
import ParleyCore
import Testing

@Suite("LAN beacons")
struct LANBeaconTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func beaconRoundTripsAndCarriesTheIdentityID() throws {
        let identity = try Identity.generate()
        let beacon = try LANBeacon.signed(by: identity, listenPort: 29172, at: Self.now)
        #expect(beacon.contactID == identity.contactID)
        #expect(beacon.encoded.count <= LANBeacon.maximumSize)
        let decoded = try LANBeacon(decoding: beacon.encoded)
        #expect(decoded == beacon)
        #expect(decoded.timestamp == 1_800_000_000_000)
        try decoded.checkSignature()
        var verifier = LANBeaconVerifier()
        #expect(try verifier.verify(beacon.encoded, now: Self.now) == beacon)
    }

    @Test func forgedBeaconsAreRefused() throws {
        let alice = try Identity.generate(), mallory = try Identity.generate()
        let real = try LANBeacon.signed(by: alice, listenPort: 4000, at: Self.now)
        let other = try LANBeacon.signed(by: mallory, listenPort: 4000, at: Self.now)
        // Alice's ID and key, Mallory's signature.
        let wrongSignature = LANBeacon(contactID: real.contactID, listenPort: 4000, timestamp: real.timestamp,
                                       subjectPublicKeyInfo: real.subjectPublicKeyInfo, signature: other.signature)
        // Alice's ID, Mallory's key and a valid signature by it.
        let wrongKey = LANBeacon(contactID: real.contactID, listenPort: 4000, timestamp: other.timestamp,
                                 subjectPublicKeyInfo: other.subjectPublicKeyInfo, signature: other.signature)
        // The port changed after signing.
        let changedPort = LANBeacon(contactID: real.contactID, listenPort: 4001, timestamp: real.timestamp,
                                    subjectPublicKeyInfo: real.subjectPublicKeyInfo, signature: real.signature)
        let cases: [(LANBeacon, LANBeaconError)] = [
            (wrongSignature, .badSignature), (wrongKey, .keyDoesNotMatchID), (changedPort, .badSignature),
        ]
        for (beacon, expected) in cases {
            var verifier = LANBeaconVerifier()
            #expect(throws: expected) { try verifier.verify(beacon.encoded, now: Self.now) }
        }
    }

    @Test func staleAndReplayedBeaconsAreRefused() throws {
        let identity = try Identity.generate()
        let old = try LANBeacon.signed(by: identity, listenPort: 1, at: Self.now.addingTimeInterval(-301))
        let future = try LANBeacon.signed(by: identity, listenPort: 1, at: Self.now.addingTimeInterval(301))
        let edge = try LANBeacon.signed(by: identity, listenPort: 1, at: Self.now.addingTimeInterval(-299))
        let current = try LANBeacon.signed(by: identity, listenPort: 1, at: Self.now)
        var verifier = LANBeaconVerifier()
        #expect(throws: LANBeaconError.stale(ageSeconds: 301)) { try verifier.verify(old.encoded, now: Self.now) }
        #expect(throws: LANBeaconError.stale(ageSeconds: -301)) { try verifier.verify(future.encoded, now: Self.now) }
        #expect(try verifier.verify(current.encoded, now: Self.now) != nil)
        #expect(throws: LANBeaconError.replayed) { try verifier.verify(current.encoded, now: Self.now) }
        #expect(throws: LANBeaconError.replayed) { try verifier.verify(edge.encoded, now: Self.now) }
        let later = try LANBeacon.signed(by: identity, listenPort: 1, at: Self.now.addingTimeInterval(30))
        #expect(try verifier.verify(later.encoded, now: Self.now.addingTimeInterval(30)) != nil)
    }

    @Test func unwantedIDsAreNotVerifiedNorRemembered() throws {
        let identity = try Identity.generate()
        let beacon = try LANBeacon.signed(by: identity, listenPort: 1, at: Self.now)
        var verifier = LANBeaconVerifier()
        #expect(try verifier.verify(beacon.encoded, now: Self.now, accepts: { _ in false }) == nil)
        #expect(try verifier.verify(beacon.encoded, now: Self.now) != nil)  // not counted as seen before
    }

    @Test func malformedBeaconsAreRefusedWithTheField() throws {
        let identity = try Identity.generate()
        let good = try LANBeacon.signed(by: identity, listenPort: 1, at: Self.now).encoded
        var badMagic = good; badMagic[0] = UInt8(ascii: "X")
        var badVersion = good; badVersion[4] = 2
        var lowerCaseID = good; lowerCaseID[5] = UInt8(ascii: "!")
        var zeroPort = good; zeroPort[41] = 0; zeroPort[42] = 0
        var hugeSPKI = good; hugeSPKI[51] = 0xff; hugeSPKI[52] = 0xff
        var noSPKI = good; noSPKI[51] = 0; noSPKI[52] = 0
        let cases: [([UInt8], LANBeaconError)] = [
            ([], .truncated("magic")),
            (badMagic, .notABeacon),
            (badVersion, .unsupportedVersion(2)),
            (lowerCaseID, .malformed("contact ID")),
            (zeroPort, .malformed("listen port 0")),
            (hugeSPKI, .malformed("SPKI length 65535")),
            (noSPKI, .malformed("SPKI length 0")),
            (Array(good.dropLast()), .truncated("signature")),
            (good + [0], .trailingBytes(1)),
            (good + [UInt8](repeating: 0, count: 600), .tooLarge(good.count + 600)),
        ]
        for (bytes, expected) in cases {
            #expect(throws: expected) { try LANBeacon(decoding: bytes) }
        }
    }

    @Test func randomBytesNeverTrap() throws {
        var generator = SystemRandomNumberGenerator()
        let good = try LANBeacon.signed(by: Identity.generate(), listenPort: 1, at: Self.now).encoded
        var verifier = LANBeaconVerifier(capacity: 4)
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round.isMultiple(of: 2) {
                bytes = (0..<Int.random(in: 0...600, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if round.isMultiple(of: 4) { bytes.replaceSubrange(0..<min(4, bytes.count), with: LANBeacon.magic + [1]) }
            } else {
                bytes = good  // a valid beacon with a few bytes flipped
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                }
            }
            _ = try? verifier.verify(bytes, now: Self.now)
        }
    }
}
