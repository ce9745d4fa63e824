import Foundation

/// Where a peer listens: a host name or IP literal and a TCP port.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible, Codable {
    /// Parley's default listening port.
    public static let defaultPort = 29172

    public let host: String
    public let port: Int

    public init(host: String, port: Int = PeerAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`; the port defaults to 29172.
    public init(parsing text: String) throws(PeerAddressError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .malformed(text) }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw .malformed(text) }
                portText = rest.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            guard text.firstIndex(of: ":") == colon else {
                throw .malformed(text)  // a bare IPv6 literal needs brackets to carry a port
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { throw .malformed(text) }
        var port = Self.defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .invalidPort(String(portText)) }
            port = value
        }
        self.host = host
        self.port = port
    }

    /// `host:port`, with brackets around IPv6 literals.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Why a piece of text is not a peer address.
public enum PeerAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case invalidPort(String)

    public var description: String {
        switch self {
        case .malformed(let text): "'\(text)' is not an address: write HOST, HOST:PORT or [IPv6]:PORT"
        case .invalidPort(let text): "'\(text)' is not a port: use a number from 1 to 65535"
        }
    }
}
