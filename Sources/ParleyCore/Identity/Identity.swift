import Crypto
import Foundation
import SwiftASN1
import X509

/// A profile's key pair and the self-signed certificate it presents in TLS.
///
/// Both halves are kept as PEM text, the form they are stored in and the
/// form the TLS layer loads.
public struct Identity: Sendable {
    /// The PKCS#8 P-256 private key, PEM encoded.
    public let privateKeyPEM: String
    /// The self-signed X.509 certificate, PEM encoded.
    public let certificatePEM: String
    /// The contact ID derived from the certificate's public key.
    public let contactID: ContactID

    /// Creates a new P-256 key pair and a self-signed certificate for it.
    public static func generate(now: Date = Date()) throws -> Identity {
        let key = P256.Signing.PrivateKey()
        let certificateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName { CommonName("parley") }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: certificateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(100 * 365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
            },
            issuerPrivateKey: certificateKey
        )
        return try Identity(
            privateKeyPEM: key.pemRepresentation,
            certificatePEM: try certificate.serializeAsPEM().pemString
        )
    }

    /// Loads a stored identity, checking that the key and certificate belong together.
    public init(privateKeyPEM: String, certificatePEM: String) throws {
        let key: P256.Signing.PrivateKey
        let certificate: Certificate
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw IdentityError.unreadablePrivateKey(String(describing: error))
        }
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw IdentityError.unreadableCertificate(String(describing: error))
        }
        guard certificate.publicKey == Certificate.PrivateKey(key).publicKey else {
            throw IdentityError.keyDoesNotMatchCertificate
        }
        self.privateKeyPEM = privateKeyPEM
        self.certificatePEM = certificatePEM
        self.contactID = try ContactID(publicKey: certificate.publicKey)
    }
}

extension ContactID {
    /// The ID of a certificate public key.
    public init(publicKey: Certificate.PublicKey) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(publicKey)
        self.init(subjectPublicKeyInfo: serializer.serializedBytes)
    }
}

/// Why a stored identity cannot be used.
public enum IdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadablePrivateKey(String)
    case unreadableCertificate(String)
    case keyDoesNotMatchCertificate

    public var description: String {
        switch self {
        case .unreadablePrivateKey(let detail):
            "the private key file cannot be read as a P-256 PEM key (\(detail)); restore it from a backup or move the profile aside to create a new identity"
        case .unreadableCertificate(let detail):
            "the certificate file cannot be read as a PEM certificate (\(detail)); restore it from a backup or move the profile aside to create a new identity"
        case .keyDoesNotMatchCertificate:
            "the private key does not match the certificate; restore both files from the same backup"
        }
    }
}
