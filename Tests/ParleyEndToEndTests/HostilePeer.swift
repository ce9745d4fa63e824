import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
    /// `source` picks the loopback address the connection comes from (e.g. 127.0.0.7).
    func exchange(port: Int, bytes: [UInt8], holdOpen: TimeInterval,
                  source: String? = nil) throws -> (received: [UInt8], seconds: TimeInterval) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3", "-quiet", "-ign_eof",
                             "-cert", "\(home.path)/identity.crt", "-key", "\(home.path)/identity.key"]
            + (source.map { ["-bind", "\($0):0"] } ?? [])
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let started = Date()
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        // Keep our side open; if the node has not closed the link by then, give up.
        // SIGKILL: s_client may sit in a blocking write and take SIGTERM late.
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
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

/// Big-endian wire encodings for hand-made payloads.
enum WireBytes {
    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func u32(_ value: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8(value >> ($0 * 8) & 0xFF) } }
    static func u64(_ value: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(value >> ($0 * 8) & 0xFF) } }
    static func string(_ text: String) -> [UInt8] { u32(UInt32(text.utf8.count)) + Array(text.utf8) }
    static func bytes(_ data: [UInt8]) -> [UInt8] { u32(UInt32(data.count)) + data }
    static func uuid(_ id: UUID = UUID()) -> [UInt8] { withUnsafeBytes(of: id.uuid) { Array($0) } }

    /// HELLO (version 1, no capabilities) saying whether we have the node as a contact.
    static func hello(contact: Bool) -> [UInt8] {
        rawFrame(type: 0x0001, payload: u16(1) + u16(1) + string("x") + u16(0) + [contact ? 1 : 0] + u16(0))
    }

    static func contactRequest(name: String, note: String = "") -> [UInt8] {
        rawFrame(type: 0x0020, payload: string(name) + string(note) + u16(0))
    }

    static func chat(sentAt: UInt64, body: String) -> [UInt8] {
        rawFrame(type: 0x0010, payload: uuid() + u64(sentAt) + string(body))
    }

    static func offer(_ id: UUID = UUID(), name: String, size: UInt64) -> [UInt8] {
        rawFrame(type: 0x0101, payload: uuid(id) + string(name) + u64(size) + Array(repeating: 7, count: 32) + string(""))
    }

    static func accept(_ id: UUID, offset: UInt64) -> [UInt8] { rawFrame(type: 0x0102, payload: uuid(id) + u64(offset)) }
    static func chunk(_ id: UUID, offset: UInt64, data: [UInt8]) -> [UInt8] {
        rawFrame(type: 0x0107, payload: uuid(id) + u64(offset) + bytes(data))
    }
    static func ack(_ id: UUID, offset: UInt64) -> [UInt8] { rawFrame(type: 0x0108, payload: uuid(id) + u64(offset)) }
}

/// The CONTACT_REQUEST_RESULT status in `bytes`, if the node sent one.
func contactRequestResult(in bytes: [UInt8]) -> UInt8? {
    let needle: [UInt8] = [0x00, 0x00, 0x00, 0x01, 0x00, 0x21, 0x01, 0x00]
    guard bytes.count > needle.count else { return nil }
    for start in 0 ..< bytes.count - needle.count where Array(bytes[start ..< start + needle.count]) == needle {
        return bytes[start + needle.count]
    }
    return nil
}

/// Whether `bytes` contain a CLOSE frame with `code`.
func containsClose(_ bytes: [UInt8], code: UInt16) -> Bool {
    let needle: [UInt8] = [0x00, 0x04, 0x01, 0x00, UInt8(code >> 8), UInt8(code & 0xFF)]
    guard bytes.count >= needle.count else { return false }
    return (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<($0 + needle.count)]) == needle }
}
