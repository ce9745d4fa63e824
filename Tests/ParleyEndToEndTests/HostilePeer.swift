import Foundation

/// A peer that speaks raw bytes over TLS with a valid Parley key, using
/// `openssl s_client` as an independent TLS implementation.
struct HostilePeer {
    let home: TemporaryHome

    init() throws {
        home = try TemporaryHome()
        _ = try home.contactID()  // creates identity.key / identity.crt
    }

    /// Connects to `port`, sends `bytes` (keeping the connection open for
    /// `holdOpen` seconds, or until the node closes it) and returns what the
    /// node sent back and how long the connection lasted.
    func exchange(port: Int, bytes: [UInt8], holdOpen: TimeInterval) throws -> (received: [UInt8], seconds: TimeInterval) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3", "-quiet", "-ign_eof",
                             "-cert", "\(home.path)/identity.crt", "-key", "\(home.path)/identity.key"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let started = Date()
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        // Keep our side open; if the node has not closed the link by then, give up.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + holdOpen, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        try? input.fileHandleForWriting.close()
        return (Array(data), Date().timeIntervalSince(started))
    }

    func cleanup() { home.cleanup() }
}

/// Raw frame bytes: 8-byte header and payload.
func rawFrame(type: UInt16, length: UInt32? = nil, payload: [UInt8]) -> [UInt8] {
    let size = length ?? UInt32(payload.count)
    return [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF),
            UInt8(type >> 8), UInt8(type & 0xFF), 1, 0] + payload
}

/// Whether `bytes` contain a CLOSE frame with `code`.
func containsClose(_ bytes: [UInt8], code: UInt16) -> Bool {
    let needle: [UInt8] = [0x00, 0x04, 0x01, 0x00, UInt8(code >> 8), UInt8(code & 0xFF)]
    guard bytes.count >= needle.count else { return false }
    return (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<($0 + needle.count)]) == needle }
}
