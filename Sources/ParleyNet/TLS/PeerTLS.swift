import NIOCore
import NIOSSL
import ParleyCore

/// TLS 1.3 with mutual authentication between self-signed peers.
///
/// No certificate authority is involved: each side proves possession of the
/// key in its certificate (the TLS handshake does that), and the key is
/// checked against the contact ID it must have (pinning).
public struct PeerTLS: Sendable {
    let serverContext: NIOSSLContext
    let clientContext: NIOSSLContext

    public init(identity: Identity) throws {
        let certificate = try NIOSSLCertificate(bytes: Array(identity.certificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)

        var server = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)],
                                                              privateKey: .privateKey(key))
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = [.certificate(certificate)]
        client.privateKey = .privateKey(key)
        server.minimumTLSVersion = .tlsv13
        server.maximumTLSVersion = .tlsv13
        server.certificateVerification = .noHostnameVerification  // requires a client certificate
        client.minimumTLSVersion = .tlsv13
        client.maximumTLSVersion = .tlsv13
        client.certificateVerification = .noHostnameVerification
        serverContext = try NIOSSLContext(configuration: server)
        clientContext = try NIOSSLContext(configuration: client)
    }

    /// The contact ID of the first certificate a peer presented.
    static func contactID(of chain: [NIOSSLCertificate]) -> ContactID? {
        guard let leaf = chain.first, let spki = try? leaf.extractPublicKey().toSPKIBytes() else { return nil }
        return ContactID(subjectPublicKeyInfo: spki)
    }

    /// A server-side handler that accepts any peer key `admit` allows, recording the peer's ID.
    func serverHandler(recordingInto peer: PeerIdentityBox,
                       admit: @escaping @Sendable (ContactID) -> Bool) -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: serverContext) { chain, promise in
            guard let id = Self.contactID(of: chain), admit(id) else {
                peer.refuse(Self.contactID(of: chain))
                promise.succeed(.failed)
                return
            }
            peer.set(id)
            promise.succeed(.certificateVerified)
        }
    }

    /// A client-side handler that accepts only the key pinned by `expected`.
    func clientHandler(expecting expected: ContactID, recordingInto peer: PeerIdentityBox) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: clientContext, serverHostname: nil) { chain, promise in
            guard let id = Self.contactID(of: chain), id == expected else {
                peer.refuse(Self.contactID(of: chain))
                promise.succeed(.failed)
                return
            }
            peer.set(id)
            promise.succeed(.certificateVerified)
        }
    }
}
