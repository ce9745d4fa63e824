import Foundation
import Testing

/// The built `parley` executable, next to the test bundle (or `PARLEY_BIN`).
let parleyExecutable: URL = {
    if let override = ProcessInfo.processInfo.environment["PARLEY_BIN"] {
        return URL(fileURLWithPath: override)
    }
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    // The test bundle may be a directory (…/parleyPackageTests.xctest/…).
    while !FileManager.default.fileExists(atPath: directory.appending(path: "parley").path), directory.path != "/" {
        directory = directory.deletingLastPathComponent()
    }
    return directory.appending(path: "parley")
}()

/// What a finished `parley` command printed and returned.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) }

    /// Throws with the command's stderr unless it exited 0.
    @discardableResult
    func requireSuccess() throws -> CommandResult {
        guard status == 0 else { throw CommandFailed(status: status, stderr: stderr) }
        return self
    }
}

struct CommandFailed: Error, CustomStringConvertible {
    let status: Int32
    let stderr: String
    var description: String { "parley exited \(status): \(stderr)" }
}

/// A temporary profile directory for one node, removed by `cleanup()`.
struct TemporaryHome {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = URL(fileURLWithPath: "/tmp").appending(path: "parley-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }

    /// Runs `parley ARGS --home THIS` to completion.
    @discardableResult
    func parley(_ arguments: String..., input: String? = nil) throws -> CommandResult {
        try runParley(arguments + ["--home", path], input: input)
    }

    /// Writes the profile's config file.
    func writeConfig(_ text: String) throws {
        try Data(text.utf8).write(to: url.appending(path: "config"))
    }

    /// This profile's contact ID (grouped form).
    func contactID() throws -> String {
        let result = try parley("id", "--json")
        return ((result.json as? [String: Any])?["id"] as? String) ?? ""
    }
}

/// Runs the `parley` executable with `arguments` and waits for it.
func runParley(_ arguments: [String], input: String? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = parleyExecutable
    process.arguments = arguments
    let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                         stderr: String(decoding: err, as: UTF8.self))
}
