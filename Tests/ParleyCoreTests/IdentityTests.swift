import ParleyCore
import Testing

@Suite("Identity")
struct IdentityTests {
    @Test func generatedIdentityReloadsWithTheSameID() throws {
        let identity = try Identity.generate()
        let reloaded = try Identity(privateKeyPEM: identity.privateKeyPEM, certificatePEM: identity.certificatePEM)
        #expect(reloaded.contactID == identity.contactID)
        #expect(identity.privateKeyPEM.contains("PRIVATE KEY"))
        #expect(identity.certificatePEM.contains("BEGIN CERTIFICATE"))
    }

    @Test func twoIdentitiesDiffer() throws {
        #expect(try Identity.generate().contactID != Identity.generate().contactID)
    }

    @Test func keyFromAnotherIdentityIsRefused() throws {
        let first = try Identity.generate()
        let second = try Identity.generate()
        #expect(throws: IdentityError.keyDoesNotMatchCertificate) {
            try Identity(privateKeyPEM: first.privateKeyPEM, certificatePEM: second.certificatePEM)
        }
    }
}
