// libFuzzer target for the node: one input is what a contact sends on one
// link after HELLO (a byte stream of frames), fed through the node's own
// session code against a real temporary store (PeerFrameHarness). Any broken
// store invariant, trap or sanitizer report is a finding; each one becomes a
// case in Tests/ParleyNodeTests/PeerFrameHarnessTests.swift.
//
// Built only with PARLEY_FUZZ=1 (see Package.swift); run with `make fuzz-node`.

import Foundation
@_spi(Fuzzing) import ParleyNode

/// A fresh store every this many inputs keeps each run fast and the disk small.
private let inputsPerStore = 2_000
/// SQLite's own consistency check runs every this many inputs (the cheap checks run after each).
private let inputsPerDatabaseCheck = 256

nonisolated(unsafe) private var harness: PeerFrameHarness?
nonisolated(unsafe) private var inputs = 0

/// libFuzzer's entry for a program that has its own main.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable target's entry point under this name; it hands control to libFuzzer.
@_cdecl("parley_node_fuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in
        fuzzNode(data, size)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    if harness == nil || inputs % inputsPerStore == 0 {
        harness?.remove()
        // On tmpfs where there is one: fsync is then free, and the fuzzer runs at memory speed.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = URL(fileURLWithPath: base).appending(path: "parley-node-fuzz-\(getpid())-\(inputs)")
        do {
            harness = try PeerFrameHarness.blocking(folder: folder)
        } catch {
            fatalError("cannot make the fuzzing store: \(error)")
        }
    }
    inputs += 1
    guard let harness else { return 0 }
    harness.runBlocking(Array(UnsafeBufferPointer(start: data, count: size)))
    let problems = harness.invariantProblems(recent: 64, checkingDatabase: inputs % inputsPerDatabaseCheck == 0)
    if !problems.isEmpty {
        fatalError("store invariant broken: \(problems.joined(separator: "; "))")
    }
    return 0
}
