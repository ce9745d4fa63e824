/// Why a stream could not start or went wrong, with what to do about it.
public enum StreamError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotBind(address: String, reason: String)
    case cannotResolve(host: String, reason: String)
    case invalidDestination(String)
    case nothingToSend
    case nothingToReceive
    case cannotWriteSDP(path: String, reason: String)
    case benchmarkFailed(String)

    public var description: String {
        switch self {
        case let .cannotBind(address, reason):
            "cannot bind UDP \(address): \(reason) (is another receiver using the port? pick another one)"
        case let .cannotResolve(host, reason):
            "cannot resolve \(host): \(reason)"
        case let .invalidDestination(text):
            "'\(text)' is not HOST:PORT (use [ADDRESS]:PORT for IPv6) with an even port from 1024 to 65534"
        case .nothingToSend:
            "nothing to send: give --audio SRC, --video SRC or both"
        case .nothingToReceive:
            "the SDP describes no stream to receive here: give --audio-out for its audio or --video-out for its video"
        case let .cannotWriteSDP(path, reason):
            "cannot write the SDP to \(path): \(reason)"
        case let .benchmarkFailed(reason):
            "the benchmark went wrong: \(reason)"
        }
    }
}

/// HOST:PORT as given to `--to`.
public struct StreamDestination: Equatable, Sendable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// "127.0.0.1:5004", "example.org:5004", "[::1]:5004".
    public init(parsing text: String) throws(StreamError) {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex) ..< close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .invalidDestination(text) }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else { throw .invalidDestination(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        host = host.isEmpty ? "127.0.0.1" : host
        guard let port = Int(portText), (1024 ... 65534).contains(port), port % 2 == 0 else { throw .invalidDestination(text) }
        self.init(host: String(host), port: port)
    }
}
