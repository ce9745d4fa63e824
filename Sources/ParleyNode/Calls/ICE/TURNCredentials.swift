import Crypto
import Foundation

/// The username and password given to a TURN server.
///
/// With a long-term password (`turn_user` + `turn_password`) they are used as they are. With
/// coturn's shared secret (`turn_secret`, its `use-auth-secret` mode) they are time limited:
/// the username is `EXPIRY:USER` (EXPIRY in seconds since 1970) and the password is
/// base64(HMAC-SHA1(secret, username)).
public struct TURNCredentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// How long credentials made from a shared secret stay valid.
    public static let sharedSecretLifetime: TimeInterval = 24 * 3600

    /// Time-limited credentials from coturn's shared secret, valid until `now + lifetime`.
    public static func fromSharedSecret(_ secret: String, user: String, now: Date = Date(),
                                        lifetime: TimeInterval = sharedSecretLifetime) -> TURNCredentials {
        let expiry = Int64((now.timeIntervalSince1970 + lifetime).rounded(.down))
        let username = user.isEmpty ? "\(expiry)" : "\(expiry):\(user)"
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return TURNCredentials(username: username, password: Data(mac).base64EncodedString())
    }
}
