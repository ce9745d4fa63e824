import Foundation

/// A server's numeric-or-named host and UDP/TCP port, as written in the config (`HOST:PORT`,
/// `[V6]:PORT`; the port defaults to 3478).
public struct ICEServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16 = ICEServerAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// STUN's and TURN's registered port.
    public static let defaultPort: UInt16 = 3478

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT`; nil when malformed.
    public init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        var host = Substring(text), portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex) ..< close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            guard text.lastIndex(of: ":") == colon else { return nil }  // bare IPv6 needs brackets
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        var port = Self.defaultPort
        if let portText {
            guard let value = UInt16(portText), value > 0 else { return nil }
            port = value
        }
        self.init(host: String(host), port: port)
    }
}

/// How the TURN server is reached.
public enum TURNTransport: String, Sendable, Equatable {
    case udp
    case tcp
}

/// The TURN server of a profile and how to log in to it.
public struct TURNServer: Sendable, Equatable {
    public enum Authentication: Sendable, Equatable {
        /// `turn_user` + `turn_password`.
        case longTerm(user: String, password: String)
        /// `turn_user` + `turn_secret` (coturn's shared secret): credentials made per call.
        case sharedSecret(user: String, secret: String)
    }

    public var address: ICEServerAddress
    public var authentication: Authentication
    public var transport: TURNTransport

    public init(address: ICEServerAddress, authentication: Authentication, transport: TURNTransport = .udp) {
        self.address = address
        self.authentication = authentication
        self.transport = transport
    }

    /// The credentials to use now.
    public func credentials(now: Date = Date()) -> TURNCredentials {
        switch authentication {
        case .longTerm(let user, let password): TURNCredentials(username: user, password: password)
        case .sharedSecret(let user, let secret): .fromSharedSecret(secret, user: user, now: now)
        }
    }
}

/// The STUN and TURN servers a call's ICE agent gathers candidates from (none: host
/// candidates only).
public struct ICEServers: Sendable, Equatable {
    public var stun: [ICEServerAddress]
    public var turn: TURNServer?

    public init(stun: [ICEServerAddress] = [], turn: TURNServer? = nil) {
        self.stun = stun
        self.turn = turn
    }

    /// The config keys read here.
    public static let keys: Set<String> = ["stun", "turn", "turn_user", "turn_password", "turn_secret", "turn_transport"]

    /// Reads `stun` (one or more `HOST:PORT`, separated by commas or spaces), `turn`,
    /// `turn_user`, `turn_password` or `turn_secret`, and `turn_transport` (udp or tcp).
    public init(values: [String: String]) throws(ConfigurationError) {
        var stun: [ICEServerAddress] = []
        if let text = values["stun"] {
            for item in text.split(whereSeparator: { $0 == "," || $0 == " " }) where !item.isEmpty {
                guard let address = ICEServerAddress(parsing: String(item)) else {
                    throw .invalidValue(key: "stun", value: text, reason: "use HOST:PORT (several separated by commas)")
                }
                stun.append(address)
            }
        }
        var turn: TURNServer?
        if let text = values["turn"], !text.isEmpty {
            guard let address = ICEServerAddress(parsing: text) else {
                throw .invalidValue(key: "turn", value: text, reason: "use HOST:PORT")
            }
            let user = values["turn_user"] ?? ""
            let authentication: TURNServer.Authentication
            if let secret = values["turn_secret"], !secret.isEmpty {
                authentication = .sharedSecret(user: user, secret: secret)
            } else if let password = values["turn_password"], !user.isEmpty {
                authentication = .longTerm(user: user, password: password)
            } else {
                throw .invalidValue(key: "turn", value: text, reason: "set turn_user and turn_password, or turn_secret (coturn's shared secret)")
            }
            var transport = TURNTransport.udp
            if let name = values["turn_transport"] {
                guard let parsed = TURNTransport(rawValue: name.lowercased()) else {
                    throw .invalidValue(key: "turn_transport", value: name, reason: "use udp or tcp")
                }
                transport = parsed
            }
            turn = TURNServer(address: address, authentication: authentication, transport: transport)
        }
        self.init(stun: stun, turn: turn)
    }
}
