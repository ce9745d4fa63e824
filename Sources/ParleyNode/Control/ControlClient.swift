import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The CLI's side of the control socket: a plain blocking Unix-socket client.
public final class ControlClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    /// Connects to a running node; fails with ``ControlClientError/noNode`` when none runs.
    public init(path: String) throws(ControlClientError) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .failed(String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw .failed("the socket path \(path) is too long for a Unix socket; use a shorter --home")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            if code == ENOENT || code == ECONNREFUSED { throw .noNode }
            throw .failed(String(cString: strerror(code)))
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Sends one request and waits for its answer. A request longer than
    /// ``ControlLimits/maxLineBytes`` is refused here, before anything is sent.
    public func request(_ request: ControlRequest) throws -> ControlResponse {
        let line = ControlCoding.encode(request)
        guard line.utf8.count < ControlLimits.maxLineBytes else {
            throw ControlClientError.requestTooLarge(bytes: line.utf8.count, limit: ControlLimits.maxLineBytes)
        }
        try writeLine(line)
        guard let line = try readLine() else { throw ControlClientError.failed("the node closed the connection") }
        return try ControlCoding.decode(ControlResponse.self, from: line)
    }

    /// Subscribes to events and calls `handle` with each JSON line until it returns false or the node stops.
    public func streamEvents(_ handle: (String) -> Bool) throws {
        try stream(ControlRequest(command: "events"), handle)
    }

    /// Sends a request that answers with a stream (`events`, `call-video`) and calls `handle`
    /// with each line after the acknowledgement until it returns false or the node stops.
    public func stream(_ request: ControlRequest, _ handle: (String) -> Bool) throws {
        let answer = try self.request(request)
        guard answer.ok else { throw ControlClientError.failed(answer.error ?? "\(request.command) refused") }
        while let line = try readLine() {
            if !handle(line) { return }
        }
    }

    private func writeLine(_ line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            // send(MSG_NOSIGNAL): a node that closed the socket is an error to report, not a SIGPIPE.
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET, let answer = try? readLine() {
                    // The node refused the request and said why before closing.
                    throw ControlClientError.failed(
                        (try? ControlCoding.decode(ControlResponse.self, from: answer))?.error ?? answer)
                }
                throw ControlClientError.failed(String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    private func readLine() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ControlClientError.failed(String(cString: strerror(errno)))
            }
            if count == 0 { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

/// Why the CLI could not talk to a node.
public enum ControlClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case noNode
    case failed(String)
    /// A request line longer than the node reads (`bytes` when the client measured it).
    case requestTooLarge(bytes: Int?, limit: Int)

    public var description: String {
        switch self {
        case .noNode:
            "no node is running for this profile; start one with 'parley daemon' (or 'parley')"
        case .failed(let detail):
            "cannot talk to the node: \(detail)"
        case .requestTooLarge(let bytes, let limit):
            "the request is \(bytes.map { "\($0) bytes, " } ?? "")over the control socket's limit of \(limit) bytes; send less at once"
        }
    }
}
